import { readFileSync } from 'node:fs'
import { join } from 'node:path'
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
