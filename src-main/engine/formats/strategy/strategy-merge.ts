import { ShardscopeError } from '../../errors'
import { checkStrategyLimits } from '../../model/strategy-limits'
import type { StrategySet } from '../../model/strategy-set'

/**
 * Merges per-stage strategy files into one pipeline strategy, as MindSpore's `merge_pipeline_strategys` does
 * (spec §3.4): each file's stage comes from its first operator item, repeated stages and byte-identical files
 * are skipped, layout names get `<stage>-` prefixes, `current_stage` becomes 1. Stages are ordered by number so
 * the result does not depend on directory listing order.
 */
export function mergeStageStrategies(sets: StrategySet[], origin: string): StrategySet {
  const byStage = new Map<number, StrategySet>()
  for (const set of sets) {
    const file = set.sources[0] ?? origin
    // Stage numbers size the gap check below; each file's are bounded before any is used.
    checkStrategyLimits(set, file)
    if (set.merged) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `${file} is already a merged pipeline strategy; merge only per-stage files.`,
        { file }
      )
    }
    if (set.operators.length === 0 || set.layouts.length === 0) {
      throw new ShardscopeError(
        'INVALID_STRATEGY',
        `${file} cannot be merged: it has no ${set.operators.length === 0 ? 'operator strategies (which name its pipeline stage)' : 'parameter layouts'}.`,
        { file }
      )
    }
    const stage = set.operators[0]!.stage
    if (!byStage.has(stage)) byStage.set(stage, set)
  }
  const stages = [...byStage.keys()].sort((a, b) => a - b)
  const missing =
    stages.length > 0 ? range(stages[stages.length - 1]! + 1).filter((s) => !byStage.has(s)) : []
  if (missing.length > 0) {
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `${origin} lacks the strategy of pipeline stage ${missing.join(', ')}; a pipeline strategy needs every stage from 0 to ${stages[stages.length - 1]}.`,
      { file: origin }
    )
  }
  const ordered = stages.map((s) => byStage.get(s)!)
  const formats = new Set(ordered.map((s) => s.format))
  const merged: StrategySet = {
    sources: ordered.flatMap((s) => s.sources),
    format: formats.size === 1 ? ordered[0]!.format : 'protobuf',
    currentStage: 1,
    merged: true,
    operators: ordered.flatMap((s) => s.operators),
    layouts: ordered.flatMap((s, i) => s.layouts.map((layout) => ({ ...layout, stage: stages[i]! })))
  }
  // Every stage may be within bounds and all of them together still more ranks than a cluster has.
  checkStrategyLimits(merged, origin)
  return merged
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
