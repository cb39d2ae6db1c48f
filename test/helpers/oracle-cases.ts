import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tensorDifferences } from './compare'
import { ORACLE } from './fixtures'

export interface OracleCase {
  name: string
  description: string
  src_strategy_file: string | null
  dst_strategy_file: string | null
  src_strategy_stage_files?: string[]
  expected_rank_list: Record<string, number[]>
  expected_checkpoints: Record<string, string>
}

export const ORACLE_CASES = (
  JSON.parse(readFileSync(join(ORACLE, 'cases.json'), 'utf8')) as { cases: OracleCase[] }
).cases

/** CLI strategy flags for a case; `stages` uses the folder of per-stage files instead of the merged file. */
export function strategyFlags(c: OracleCase, stages = false): string[] {
  const flags: string[] = []
  if (stages && c.src_strategy_stage_files)
    flags.push('--src-strategy', join(ORACLE, c.name, 'src_strategy_stages'))
  else if (c.src_strategy_file) flags.push('--src-strategy', join(ORACLE, c.src_strategy_file))
  if (c.dst_strategy_file) flags.push('--dst-strategy', join(ORACLE, c.dst_strategy_file))
  return flags
}

/** `transform` arguments converting a case's source folder into `out`. */
export function transformArgs(c: OracleCase, out: string, stages = false): string[] {
  return ['transform', '--src', join(ORACLE, c.name, 'src'), '--dst', out, ...strategyFlags(c, stages)]
}

/** Tensor-by-tensor differences between what `out` holds and MindSpore's outputs for the case, per rank. */
export async function oracleDifferences(c: OracleCase, out: string): Promise<Record<string, string[]>> {
  const differences: Record<string, string[]> = {}
  for (const [rank, expected] of Object.entries(c.expected_checkpoints)) {
    differences[rank] = await tensorDifferences(
      join(out, `rank_${rank}`, `checkpoint_${rank}.ckpt`),
      join(ORACLE, expected)
    )
  }
  return differences
}

/** What `oracleDifferences` returns when every rank matches. */
export function noDifferences(c: OracleCase): Record<string, string[]> {
  return Object.fromEntries(Object.keys(c.expected_checkpoints).map((rank) => [rank, []]))
}
