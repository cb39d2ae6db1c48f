import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { indexCkpt } from '../../src-main/engine/formats/ckpt/ckpt-index'
import { indexSafetensors } from '../../src-main/engine/formats/safetensors/safetensors-index'
import { withLocalFile } from '../../src-main/engine/io/local-file'
import { readAllTensors, tensorData } from '../helpers/ckpt'
import { cli } from '../helpers/cli'
import { oracle } from '../helpers/fixtures'
import { ORACLE_CASES, strategyFlags, transformArgs } from '../helpers/oracle-cases'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const MP = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!
const PIPE = ORACLE_CASES.find((c) => c.name === 'pipeline2_to_mp4')!

describe('plan', () => {
  it('previews sources, bytes and memory per destination rank without writing', async () => {
    const result = await cli('plan', '--src', oracle(MP.name, 'src'), ...strategyFlags(MP), '--json')
    expect(result.code, result.stderr).toBe(0)
    const doc = JSON.parse(result.stdout)
    expect(doc.ranks.map((r: { rank: number; sources: number[] }) => [r.rank, r.sources])).toEqual([
      [0, [0, 4]],
      [1, [1, 5]],
      [2, [2, 6]],
      [3, [3, 7]]
    ])
    for (const r of doc.ranks) {
      expect(r.params).toBe(9)
      expect(r.bytesWritten).toBe(readFileSync(oracle(MP.expected_checkpoints[String(r.rank)]!)).length)
      expect(r.bytesRead).toBeGreaterThan(0)
      expect(r.filesOpened).toBe(2)
    }
    expect(doc.problems).toEqual([
      expect.objectContaining({
        severity: 'note',
        message: expect.stringContaining('global_step, learning_rate are in no strategy')
      })
    ])
  })

  it('prints a table and exits 2 when the inputs have errors', async () => {
    const ok = await cli('plan', '--src', oracle(PIPE.name, 'src'), ...strategyFlags(PIPE, true))
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^Plan: 2 × 4 source ranks → 1 × 4 destination ranks/)
    expect(ok.stdout).toMatch(/^\s+0\s+rank_0\/checkpoint_0\.ckpt\s+0, 4, 5, 6\s+9 /m)
    const bad = await cli(
      'plan',
      '--src',
      oracle(PIPE.name, 'src'),
      ...strategyFlags(PIPE, true),
      '--rank',
      '7'
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Destination rank 7 does not exist')
  })
})

describe('merge-strategies', () => {
  it('writes MindSpore’s merged file byte for byte, from a folder or from files', async () => {
    const out = join(tempDir(), 'merged.ckpt')
    const fromDir = await cli('merge-strategies', oracle(PIPE.name, 'src_strategy_stages'), '--out', out)
    expect(fromDir.code, fromDir.stderr).toBe(0)
    expect(fromDir.stdout).toBe(`Merged 2 pipeline stages (8 parameter layouts) into ${out}.\n`)
    expect(readFileSync(out).equals(readFileSync(oracle(PIPE.name, 'src_strategy_merged.ckpt')))).toBe(true)
    const out2 = join(tempDir(), 'merged.ckpt')
    const files = ['src_strategy_stage1.ckpt', 'src_strategy_stage0.ckpt'].map((f) =>
      oracle(PIPE.name, 'src_strategy_stages', f)
    )
    expect((await cli('merge-strategies', ...files, '--out', out2)).code).toBe(0)
    expect(readFileSync(out2).equals(readFileSync(out))).toBe(true)
  })

  it('writes JSON when the output ends in .json', async () => {
    const out = join(tempDir(), 'merged.json')
    expect((await cli('merge-strategies', oracle(PIPE.name, 'src_strategy_stages'), '--out', out)).code).toBe(
      0
    )
    const json = JSON.parse(readFileSync(out, 'utf8'))
    expect(Object.keys(json.parallel_layout_item)).toContain('1-layer0.layernorm.gamma')
    expect(json.current_stage).toBe(1)
  })

  it('needs --out', async () => {
    const result = await cli('merge-strategies', oracle(PIPE.name, 'src_strategy_stages'))
    expect([result.code, result.stderr.trim()]).toEqual([
      2,
      'shardscope merge-strategies: --out <file> is required.'
    ])
  })
})

describe('transform options', () => {
  it('--dtype bfloat16 casts floating-point tensors only, rounding to nearest-even', async () => {
    const out = tempDir()
    const result = await cli(
      'transform',
      '--src',
      oracle('full_to_mp2x4', 'src'),
      '--dst',
      out,
      '--dtype',
      'bfloat16'
    )
    expect(result.code, result.stderr).toBe(0)
    const merged = await readAllTensors(join(out, 'rank_0', 'checkpoint_0.ckpt'))
    const source = new Map((await readAllTensors(oracle('model', 'full.ckpt'))).map((t) => [t.name, t]))
    for (const t of merged) {
      const original = source.get(t.name)!
      expect(t.shape).toEqual(original.shape)
      if (original.dtype === 'Int32') expect(t.dtype).toBe('Int32')
      else expect(t.dtype).toBe('BFloat16')
      if (original.dtype === 'Float32') {
        // f32 value = offset + i: bf16 keeps 8 significant bits, so 10000 + 1 rounds to 10000 (ties to even).
        const f32 = new Float32Array(
          original.data.buffer.slice(
            original.data.byteOffset,
            original.data.byteOffset + original.data.length
          )
        )
        const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.length)
        for (let i = 0; i < f32.length; i += 97) {
          const back = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!
          expect(Math.abs(back - f32[i]!)).toBeLessThanOrEqual(Math.abs(f32[i]!) / 256)
        }
      }
    }
  })

  it('--exclude drops optimizer states and counters for inference', async () => {
    const out = tempDir()
    const result = await cli(
      ...transformArgs(MP, out),
      '--exclude',
      '^(adam_[mv]\\.|global_step$|learning_rate$)'
    )
    expect(result.code, result.stderr).toBe(0)
    const names = (await readAllTensors(join(out, 'rank_1', 'checkpoint_1.ckpt'))).map((t) => t.name)
    expect(names).toEqual([
      'embedding.word_embedding.embedding_table',
      'layer0.attention.dense.weight',
      'layer0.attention.dense.bias',
      'layer0.mlp.mapping.weight',
      'layer0.layernorm.gamma',
      'layer0.counter'
    ])
  })

  it('--format safetensors writes MindSpore-flavoured safetensors with the same tensors', async () => {
    const out = tempDir()
    const result = await cli(...transformArgs(MP, out), '--format', 'safetensors', '--prefix', 'net_')
    expect(result.code, result.stderr).toBe(0)
    const expected = new Map(
      (await readAllTensors(oracle(MP.expected_checkpoints['3']!))).map((t) => [t.name, t])
    )
    await withLocalFile(join(out, 'rank_3', 'net_3.safetensors'), async (source) => {
      const index = await indexSafetensors(source)
      expect(index.metadata.format).toBe('ms')
      expect(index.tensors.map((t) => t.name).sort()).toEqual([...expected.keys()].sort())
      for (const t of index.tensors) {
        const e = expected.get(t.name)!
        expect([t.dtype, t.shape]).toEqual([e.dtype, e.shape])
        expect(Buffer.from(await tensorData(source, t)).equals(Buffer.from(e.data))).toBe(true)
      }
    })
  })

  it('--crc appends a trailer that verifies', async () => {
    const out = tempDir()
    expect((await cli(...transformArgs(MP, out), '--crc', '--rank', '0')).code).toBe(0)
    const index = await withLocalFile(join(out, 'rank_0', 'checkpoint_0.ckpt'), (s) =>
      indexCkpt(s, { verifyCrc: true })
    )
    expect(index.crc).toBeDefined()
    expect((await cli('inspect', join(out, 'rank_0', 'checkpoint_0.ckpt'), '--verify-crc')).code).toBe(0)
  })

  it('prints a summary table and a manifest path, and progress lines on stderr', async () => {
    const out = tempDir()
    const result = await cli('transform', '--src', oracle(MP.name, 'src'), '--dst', out, ...strategyFlags(MP))
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^\s+2\s+rank_2\/checkpoint_2\.ckpt\s+\S+ \S+\s+[0-9a-f]{16}\s+written$/m)
    expect(result.stdout).toContain(`Manifest: ${join(out, 'shardscope-manifest.json')}`)
    expect(result.stderr).toMatch(/^progress: 100%/m)
    const again = await cli('transform', '--src', oracle(MP.name, 'src'), '--dst', out, ...strategyFlags(MP))
    expect(again.stdout).toContain('4 were already done and verified')
  })
})

describe('verify', () => {
  it('needs a manifest', async () => {
    const dir = tempDir()
    const result = await cli('verify', dir)
    expect([result.code, result.stderr.trim()]).toEqual([
      2,
      `shardscope verify: ${dir} has no shardscope-manifest.json; only a folder written by "shardscope transform" can be verified.`
    ])
  })
})
