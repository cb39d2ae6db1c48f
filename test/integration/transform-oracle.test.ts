import { cpSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tensorDifferences } from '../helpers/compare'
import { cli } from '../helpers/cli'
import { ORACLE, real } from '../helpers/fixtures'
import {
  noDifferences,
  oracleDifferences,
  ORACLE_CASES,
  strategyFlags,
  transformArgs
} from '../helpers/oracle-cases'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()

/**
 * The MindSpore oracle (fixtures/mindspore-oracle, produced by MindSpore's own transform_checkpoint_by_rank):
 * every destination rank must come out tensor-identical (tag, dims, dtype, bytes).
 */
describe('transform reproduces MindSpore outputs tensor for tensor', () => {
  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const out = tempDir()
    const result = await cli(...transformArgs(c, out), '--jobs', '2')
    expect(result.code, result.stderr).toBe(0)
    expect(await oracleDifferences(c, out)).toEqual(noDifferences(c))
  })

  it('takes a folder of per-stage strategy files instead of the merged one', async () => {
    const c = ORACLE_CASES.find((x) => x.name === 'pipeline2_to_mp4')!
    const out = tempDir()
    const result = await cli(...transformArgs(c, out, true))
    expect(result.code, result.stderr).toBe(0)
    expect(await oracleDifferences(c, out)).toEqual(noDifferences(c))
  })
})

describe('transform --rank needs only the source ranks that rank reads, and writes MindSpore’s bytes', () => {
  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    for (const [rank, expected] of Object.entries(c.expected_checkpoints)) {
      const listed = await cli('ranks', '--dst-rank', rank, ...strategyFlags(c))
      expect(listed.code, listed.stderr).toBe(0)
      const needed = JSON.parse(listed.stdout) as number[]
      // Only the listed source rank folders exist.
      const src = tempDir()
      for (const r of needed) {
        mkdirSync(join(src, `rank_${r}`))
        cpSync(join(ORACLE, c.name, 'src', `rank_${r}`), join(src, `rank_${r}`), { recursive: true })
      }
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
      const ours = join(out, `rank_${rank}`, `checkpoint_${rank}.ckpt`)
      expect(await tensorDifferences(ours, join(ORACLE, expected))).toEqual([])
      // MindSpore loads more files (every rank of every pipeline stage for pipeline2_to_mp4); the record order
      // it writes must come out the same from this minimal set: byte for byte.
      expect(readFileSync(ours).equals(readFileSync(join(ORACLE, expected))), `rank ${rank}`).toBe(true)
    }
  })
})

describe("ranks: our lists suffice and are never longer than MindSpore's rank_list_for_transform", () => {
  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await cli('ranks', ...strategyFlags(c))
    expect(result.code, result.stderr).toBe(0)
    const ours = JSON.parse(result.stdout) as Record<string, number[]>
    expect(Object.keys(ours).sort()).toEqual(Object.keys(c.expected_rank_list).sort())
    for (const [rank, theirs] of Object.entries(c.expected_rank_list)) {
      expect(ours[rank]!.length).toBeLessThanOrEqual(theirs.length)
      // Ours only ever drops ranks MindSpore loads but does not need.
      expect(theirs).toEqual(expect.arrayContaining(ours[rank]!))
    }
  })

  it('is strictly shorter for the pipeline case, where MindSpore loads every rank', async () => {
    const c = ORACLE_CASES.find((x) => x.name === 'pipeline2_to_mp4')!
    const ours = JSON.parse((await cli('ranks', ...strategyFlags(c))).stdout) as Record<string, number[]>
    expect(ours).toEqual({ '0': [0, 4, 5, 6], '1': [0, 4, 5, 6], '2': [3, 5, 6, 7], '3': [3, 5, 6, 7] })
  })

  it('prints one array with --dst-rank', async () => {
    const c = ORACLE_CASES.find((x) => x.name === 'mp2x4_to_mp4')!
    const result = await cli('ranks', '--dst-rank', '2', ...strategyFlags(c), '--json')
    expect(JSON.parse(result.stdout)).toEqual([2, 6])
  })
})

describe('ranks on strategies of different models', () => {
  it('warns that the strategies share no parameter', async () => {
    const result = await cli(
      'ranks',
      '--src-strategy',
      real('mindformers__strategy_8_npus.ckpt'),
      '--dst-strategy',
      join(ORACLE, 'dp8_to_mp4', 'dst_strategy.ckpt')
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('warning: the two strategies have no parameter in common')
  })
})
