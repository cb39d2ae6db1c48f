import { createHash } from 'node:crypto'
import type { RankPlan, TransformPlan } from '../plan/plan-types'
import type { SourceRecord } from './manifest'

/**
 * What an output is made from: the rank's plan with its sources' identities, the options and the strategies.
 * Equal hashes mean a finished output can be kept. Whether a CRC was checked does not change the output.
 */
export function rankPlanHash(rank: RankPlan, plan: TransformPlan): string {
  const sources = rank.sources.map(({ crc: _crc, ...source }) => source)
  return createHash('sha256')
    .update(
      JSON.stringify({
        rank: { ...rank, sources },
        options: plan.options,
        strategies: [plan.source.strategyHash ?? null, plan.destination.strategyHash ?? null]
      })
    )
    .digest('hex')
}

export function sourceRecords(rank: RankPlan, crcVerified: string[]): SourceRecord[] {
  return rank.sources.map((s) => ({
    rank: s.rank,
    path: s.path,
    ...(s.realPath ? { realPath: s.realPath } : {}),
    ...s.identity,
    ...(crcVerified.includes(s.path) ? { crcVerified: true } : {})
  }))
}
