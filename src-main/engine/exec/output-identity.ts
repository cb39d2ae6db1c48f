import { createHash } from 'node:crypto'
import type { RankOutline, RankPlan, TransformPlan } from '../plan/plan-types'
import { outlineOf, recipeText } from '../plan/rank-build'
import type { SourceRecord } from './manifest'

/**
 * What an output is made from: the rank's outline with its sources' identities, its stage's recipe, the options
 * and the strategies (the outline and recipe decide the rank's RankPlan given those sources). Equal hashes mean
 * a finished output can be kept. Whether a CRC was checked does not change the output.
 */
export function rankPlanHash(rank: RankOutline, plan: TransformPlan): string {
  const sources = rank.sources.map(({ crc: _crc, ...source }) => source)
  return createHash('sha256')
    .update(
      JSON.stringify({
        rank: { ...outlineOf(rank), sources },
        recipe: recipeText(plan.stages[rank.stage]!).key,
        options: plan.options,
        strategies: [plan.source.strategyHash ?? null, plan.destination.strategyHash ?? null]
      })
    )
    .digest('hex')
}

export function sourceRecords(rank: Pick<RankPlan, 'sources'>, crcVerified: string[]): SourceRecord[] {
  return rank.sources.map((s) => ({
    rank: s.rank,
    path: s.path,
    ...(s.realPath ? { realPath: s.realPath } : {}),
    ...s.identity,
    ...(crcVerified.includes(s.path) ? { crcVerified: true } : {})
  }))
}
