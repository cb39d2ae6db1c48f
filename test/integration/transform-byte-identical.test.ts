import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CkptWriter } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { indexSafetensors } from '../../src-main/engine/formats/safetensors/safetensors-index'
import { MemorySink } from '../../src-main/engine/io/byte-sink'
import { withLocalFile } from '../../src-main/engine/io/local-file'
import { readAllTensors } from '../helpers/ckpt'
import { cli } from '../helpers/cli'
import { ORACLE } from '../helpers/fixtures'
import { ORACLE_CASES, strategyFlags, transformArgs, type OracleCase } from '../helpers/oracle-cases'
import { safetensorsCopy } from '../helpers/safetensors-copy'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()

/** Ranks whose .ckpt output differs from MindSpore's file byte for byte. */
function byteDifferences(c: OracleCase, out: string, ranks = Object.keys(c.expected_checkpoints)): string[] {
  return ranks.filter(
    (rank) =>
      !readFileSync(join(out, `rank_${rank}`, `checkpoint_${rank}.ckpt`)).equals(
        readFileSync(join(ORACLE, c.expected_checkpoints[rank]!))
      )
  )
}

/**
 * The MindSpore oracle's outputs are MindSpore's own files (transform_checkpoint_by_rank, which the fixtures
 * show byte-identical to transform_checkpoints): ours must be the same bytes, record order included.
 */
describe('.ckpt outputs are byte-identical to MindSpore’s', () => {
  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const out = tempDir()
    const result = await cli(...transformArgs(c, out), '--jobs', '2')
    expect(result.code, result.stderr).toBe(0)
    expect(byteDifferences(c, out)).toEqual([])
  })

  // MindSpore loads every rank of every pipeline stage; we read only what each rank needs (0, 4, 5, 6 for rank
  // 0 of pipeline2_to_mp4) and must still write records in the order MindSpore's larger load gives them.
  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))(
    '%s, from only the source ranks each rank needs',
    async (_name, c) => {
      for (const rank of Object.keys(c.expected_checkpoints)) {
        const needed = JSON.parse(
          (await cli('ranks', '--dst-rank', rank, ...strategyFlags(c))).stdout
        ) as number[]
        const src = tempDir()
        for (const r of needed)
          cpSync(join(ORACLE, c.name, 'src', `rank_${r}`), join(src, `rank_${r}`), { recursive: true })
        const out = tempDir()
        const result = await cli(
          'transform',
          '--src',
          src,
          '--dst',
          out,
          '--rank',
          rank,
          ...strategyFlags(c),
          '--jobs',
          '1'
        )
        expect(result.code, result.stderr).toBe(0)
        expect(byteDifferences(c, out, [rank])).toEqual([])
      }
    }
  )
})

describe('safetensors sources: records in the order MindSpore loads safetensors files', () => {
  /**
   * MindSpore's safetensors transform loads each file of rank_list_for_transform (descending ranks) with
   * safetensors.numpy.load_file, which yields names in data-offset order (safetensors ≥ 0.6), and writes the
   * resharded parameters first, then the copied ones (global_step, learning_rate: in no strategy).
   */
  async function expectedBytes(c: OracleCase, src: string, rank: string): Promise<Buffer> {
    const order: string[] = []
    for (const r of c.expected_rank_list[rank]!) {
      await withLocalFile(join(src, `rank_${r}`, `checkpoint_${r}.safetensors`), async (source) => {
        for (const t of (await indexSafetensors(source)).tensors)
          if (!order.includes(t.name)) order.push(t.name)
      })
    }
    const copied = ['global_step', 'learning_rate']
    const names = [...order.filter((n) => !copied.includes(n)), ...order.filter((n) => copied.includes(n))]
    const tensors = await readAllTensors(join(ORACLE, c.expected_checkpoints[rank]!))
    const sink = new MemorySink()
    const writer = new CkptWriter(sink)
    for (const name of names) {
      const t = tensors.find((x) => x.name === name)!
      await writer.writeTensor(t.name, t.storedDtype, t.dims, t.data)
    }
    await writer.finish()
    return Buffer.from(sink.bytes())
  }

  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const src = tempDir()
    await safetensorsCopy(join(ORACLE, c.name, 'src'), src)
    const out = tempDir()
    const result = await cli('transform', '--src', src, '--dst', out, ...strategyFlags(c), '--jobs', '2')
    expect(result.code, result.stderr).toBe(0)
    for (const rank of Object.keys(c.expected_checkpoints)) {
      const ours = readFileSync(join(out, `rank_${rank}`, `checkpoint_${rank}.ckpt`))
      expect(ours.equals(await expectedBytes(c, src, rank)), `rank ${rank}`).toBe(true)
    }
  })
})
