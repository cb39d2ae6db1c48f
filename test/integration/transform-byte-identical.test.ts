import { readFileSync } from 'node:fs'
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
function byteDifferences(c: OracleCase, out: string): string[] {
  return Object.keys(c.expected_checkpoints).filter(
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
})

describe('safetensors sources: records in the order MindSpore loads safetensors files', () => {
  /**
   * MindSpore's safetensors transform loads each file of rank_list_for_transform (descending ranks) with
   * safetensors.numpy.load_file, which yields names in data-offset order (safetensors ≥ 0.6), and writes the
   * resharded parameters first, then the copied ones (global_step, learning_rate: in no strategy). (For a
   * pipelined source MindSpore runs one process per source stage and merges their results in whatever order the
   * processes finish, so its own order varies between runs there; ours follows the rule above.)
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
