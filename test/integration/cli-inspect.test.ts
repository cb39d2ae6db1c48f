import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { recordHeader } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { SafetensorsWriter } from '../../src-main/engine/formats/safetensors/safetensors-writer'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import { filesUnder, readAllTensors } from '../helpers/ckpt'
import { cli, cliJson } from '../helpers/cli'
import { ORACLE, oracle, RANK_TABLES, real } from '../helpers/fixtures'
import { useTempDirs } from '../helpers/temp-dir'

interface TensorContents {
  shape: number[]
  dtype: string
}
interface OracleCase {
  name: string
  src_checkpoints: Record<string, string>
  src_checkpoint_contents: Record<string, Record<string, TensorContents>>
  expected_checkpoints: Record<string, string>
  expected_checkpoint_records: Record<string, [string, number[], string, number][]>
  strategies_decoded: Record<
    string,
    {
      parallel_layout_item: {
        param_name: string
        dev_matrix: number[][]
        tensor_map: number[][]
        opt_weight_shard_size: number
        opt_weight_shard_step: number
        field: number
      }[]
    }
  >
}
const tempDir = useTempDirs()
const cases = (JSON.parse(readFileSync(join(ORACLE, 'cases.json'), 'utf8')) as { cases: OracleCase[] }).cases

type CheckpointDoc = {
  kind: 'checkpoint'
  params: { name: string; dtype: string; shape: number[]; bytes: number; legacyScalar?: true }[]
}
type StrategyDoc = {
  kind: 'strategy'
  params: {
    name: string
    stage: number
    devMatrix: number[]
    tensorMap: (number | number[])[]
    optShardSize: number
    optShardStep: number
    field: number
  }[]
}

describe('inspect --json on every oracle checkpoint matches cases.json', () => {
  const sources = cases.flatMap((c) =>
    Object.entries(c.src_checkpoints).map(
      ([rank, file]) => [c.name, rank, file, c.src_checkpoint_contents[rank]!] as const
    )
  )
  it.each(sources)('%s source rank %s', async (_case, _rank, file, contents) => {
    const doc = await cliJson<CheckpointDoc>('inspect', oracle(file))
    expect(doc.kind).toBe('checkpoint')
    expect(Object.keys(doc)).toEqual(['kind', 'params'])
    const asRecorded = Object.fromEntries(doc.params.map((p) => [p.name, { shape: p.shape, dtype: p.dtype }]))
    const expected = Object.fromEntries(
      Object.entries(contents).map(([name, t]) => [name, { shape: t.shape, dtype: t.dtype }])
    )
    expect(asRecorded).toEqual(expected)
  })

  const outputs = cases.flatMap((c) =>
    Object.entries(c.expected_checkpoints).map(
      ([rank, file]) => [c.name, rank, file, c.expected_checkpoint_records[rank]!] as const
    )
  )
  it.each(outputs)('%s expected rank %s', async (_case, _rank, file, records) => {
    const doc = await cliJson<CheckpointDoc>('inspect', oracle(file))
    expect(doc.params.map((p) => [p.name, p.shape, p.dtype, p.bytes])).toEqual(records)
  })
})

describe('inspect --json on strategies', () => {
  const strategies = cases.flatMap((c) => Object.entries(c.strategies_decoded))
  it.each(strategies)('%s', async (file, decoded) => {
    const doc = await cliJson<StrategyDoc>('inspect', oracle(file))
    expect(Object.keys(doc)).toEqual(['kind', 'params'])
    expect(doc.params.map((p) => (file.includes('merged') ? `${p.stage}-${p.name}` : p.name))).toEqual(
      decoded.parallel_layout_item.map((l) => l.param_name)
    )
    expect(
      doc.params.map((p) => [p.devMatrix, p.tensorMap, p.optShardSize, p.optShardStep, p.field])
    ).toEqual(
      decoded.parallel_layout_item.map((l) => [
        l.dev_matrix[0],
        l.tensor_map[0],
        l.opt_weight_shard_size,
        l.opt_weight_shard_step,
        l.field
      ])
    )
  })

  it('gives names without stage prefixes and the stage separately for merged files', async () => {
    const doc = await cliJson<StrategyDoc>('inspect', real('mindformers__strategy_8_npus.ckpt'))
    expect(doc.params).toHaveLength(148)
    expect(doc.params.some((p) => /^\d+-/.test(p.name))).toBe(false)
    expect(
      doc.params.find((p) => p.name === 'backbone.blocks.1.output.mapping.weight' && p.stage === 1)
    ).toEqual({
      name: 'backbone.blocks.1.output.mapping.weight',
      stage: 1,
      devMatrix: [2, 2],
      tensorMap: [-1, 0],
      optShardSize: 0,
      optShardStep: 0,
      field: 0
    })
  })

  it('merges a directory of per-stage files', async () => {
    const doc = await cliJson<StrategyDoc>('inspect', oracle('pipeline2_to_mp4/src_strategy_stages'))
    expect(doc.params.map((p) => `${p.stage}-${p.name}`)).toEqual([
      '0-embedding.word_embedding.embedding_table',
      '0-layer0.attention.dense.weight',
      '0-layer0.attention.dense.bias',
      '1-embedding.word_embedding.embedding_table',
      '1-layer0.mlp.mapping.weight',
      '1-layer0.layernorm.gamma',
      '1-layer0.counter',
      '1-adam_m.layer0.mlp.mapping.weight'
    ])
  })

  it('prints a readable table for people', async () => {
    const { code, stdout } = await cli(
      'inspect',
      real('golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt')
    )
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe('Strategy: 363 parameter layouts in 1 pipeline stage')
    expect(stdout).toMatch(/^\s+0\s+model\.layers\.28\.attention\.wo\.weight\s+\[2\]\s+\[-1, 0\]\s+-\s+0$/m)
  })
})

describe('inspect --json on real checkpoints', () => {
  it.each(filesUnder(join(ORACLE, '..', 'real'), '.ckpt').filter((f) => !f.includes('strategy')))(
    '%s',
    async (path) => {
      const doc = await cliJson<CheckpointDoc>('inspect', path)
      expect(doc.kind).toBe('checkpoint')
      expect(doc.params.length).toBeGreaterThan(0)
      for (const p of doc.params) {
        const elements = p.legacyScalar ? 1 : p.shape.reduce((a, b) => a * b, 1)
        expect(p.bytes).toBe(elements * (p.dtype === 'Float64' ? 8 : 4))
      }
    }
  )

  it('reports the LeNet legacy scalars as stored, dims [0], and says they are legacy scalars', async () => {
    const doc = await cliJson<CheckpointDoc>('inspect', real('mindarmour__checkpoint_lenet-10_1875.ckpt'))
    expect(doc.params.filter((p) => p.legacyScalar)).toEqual([
      { name: 'learning_rate', dtype: 'Float64', shape: [0], bytes: 8, legacyScalar: true },
      { name: 'momentum', dtype: 'Float64', shape: [0], bytes: 8, legacyScalar: true }
    ])
    // Every other entry has no such field, so the JSON of 2.3+ checkpoints is unchanged.
    expect(doc.params.find((p) => p.name === 'fc1.bias')).toEqual({
      name: 'fc1.bias',
      dtype: 'Float32',
      shape: [120],
      bytes: 480
    })
    const { stdout } = await cli('inspect', real('mindarmour__checkpoint_lenet-10_1875.ckpt'))
    expect(stdout).toMatch(/^momentum\s+Float64\s+\[0\] \(legacy scalar\)\s+8 B$/m)
  })

  it('reports a 2.3+ scalar (no dims) as [] without the legacy field', async () => {
    const path = join(tempDir(), 'scalar.ckpt')
    writeFileSync(path, Buffer.concat([recordHeader('lr', 'Float32', [], 4), new Uint8Array(4)]))
    const doc = await cliJson<CheckpointDoc>('inspect', path)
    expect(doc.params).toEqual([{ name: 'lr', dtype: 'Float32', shape: [], bytes: 4 }])
  })
})

describe('inspect --json on checkpoint folders', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s/src', async (name, c) => {
    const doc = await cliJson<{
      kind: string
      ranks: { rank: number; file: string; params: number; bytes: number }[]
      problems: string[]
    }>('inspect', oracle(name, 'src'))
    expect(Object.keys(doc)).toEqual(['kind', 'ranks', 'problems'])
    expect(doc.kind).toBe('checkpoint-folder')
    expect(doc.problems).toEqual([])
    expect(doc.ranks.map((r) => [r.rank, r.file, r.params])).toEqual(
      Object.keys(c.src_checkpoints).map((rank) => [
        Number(rank),
        `rank_${rank}/checkpoint_${rank}.ckpt`,
        Object.keys(c.src_checkpoint_contents[rank]!).length
      ])
    )
    for (const r of doc.ranks) expect(r.bytes).toBe(readFileSync(oracle(name, 'src', r.file)).length)
  })
})

describe('inspect on a folder large enough to be indexed on worker threads', () => {
  const writeFolder = (ranks: number) => {
    const root = tempDir()
    for (let rank = 0; rank < ranks; rank++) {
      mkdirSync(join(root, `rank_${rank}`))
      const records = Array.from({ length: 1 + (rank % 3) }, (_, i) =>
        Buffer.concat([recordHeader(`w${i}`, 'Float32', [2], 8), new Uint8Array(8)])
      )
      writeFileSync(join(root, `rank_${rank}`, `checkpoint_${rank}.ckpt`), Buffer.concat(records))
    }
    return root
  }

  it('counts the tensors of every rank file, in rank order', async () => {
    const root = writeFolder(24)
    const doc = await cliJson<{ ranks: { rank: number; file: string; params: number }[] }>('inspect', root)
    expect(doc.ranks.map((r) => [r.rank, r.file, r.params])).toEqual(
      Array.from({ length: 24 }, (_, r) => [r, `rank_${r}/checkpoint_${r}.ckpt`, 1 + (r % 3)])
    )
  })

  it('names the lowest rank file that cannot be read', async () => {
    const root = writeFolder(24)
    for (const rank of [17, 9]) {
      const path = join(root, `rank_${rank}`, `checkpoint_${rank}.ckpt`)
      writeFileSync(path, readFileSync(path).subarray(0, 10))
    }
    const result = await cli('inspect', root)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(join(root, 'rank_9', 'checkpoint_9.ckpt'))
    expect(result.stderr).not.toContain('rank_17')
  })
})

describe('inspect --json on rank tables', () => {
  it('maps ranks to servers and devices and lists problems', async () => {
    const doc = await cliJson<{
      kind: string
      servers: { id: string; devices: number }[]
      ranks: { rank: number; server: string; device: number }[]
      problems: string[]
    }>('inspect', join(RANK_TABLES, 'docs__rank_table_cross_cluster_16pcs.json'))
    expect(Object.keys(doc)).toEqual(['kind', 'servers', 'ranks', 'problems'])
    expect(doc.servers.map((s) => [s.id, s.devices])).toEqual([
      ['server_0_10.*.*.*', 8],
      ['server_1_10.*.*.*', 8]
    ])
    expect(doc.ranks[9]).toEqual({ rank: 9, server: 'server_1_10.*.*.*', device: 1 })
    expect(doc.problems.join(' ')).toMatch(/masked/i)
  })

  it('reports a clean table as clean', async () => {
    const doc = await cliJson<{ ranks: unknown[]; problems: string[] }>(
      'inspect',
      join(RANK_TABLES, 'serving_matmul_rank_table_8pcs.json')
    )
    expect(doc.ranks).toHaveLength(8)
    expect(doc.problems).toEqual([])
  })
})

describe('inspect on safetensors', () => {
  it('reads a MindSpore-style safetensors file and a rank folder of them', async () => {
    const root = tempDir()
    const tensors = await readAllTensors(oracle('model/full.ckpt'))
    for (const rank of [0, 1]) {
      const path = join(root, `rank_${rank}`, `net-1_${rank + 5}.safetensors`)
      const writer = await SafetensorsWriter.create(
        await AtomicFileSink.create(path),
        tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, byteLength: t.byteLength }))
      )
      for (const name of writer.order)
        await writer.writeTensor(name, tensors.find((t) => t.name === name)!.data)
      await writer.finish()
    }
    const doc = await cliJson<CheckpointDoc>('inspect', join(root, 'rank_1', 'net-1_6.safetensors'))
    expect(doc.params.map((p) => [p.name, p.dtype, p.shape]).sort()).toEqual(
      tensors.map((t) => [t.name, t.dtype, t.shape]).sort()
    )
    const folder = await cliJson<{ ranks: { rank: number; file: string; params: number }[] }>('inspect', root)
    expect(folder.ranks.map((r) => [r.rank, r.file, r.params])).toEqual([
      [0, 'rank_0/net-1_5.safetensors', 9],
      [1, 'rank_1/net-1_6.safetensors', 9]
    ])
  })
})
