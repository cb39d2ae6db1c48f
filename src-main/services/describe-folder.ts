import type { FolderDescription } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { buildParamCatalog } from '../engine/plan/param-catalog'
import type { Problem } from '../engine/plan/plan-types'
import { describeSide, stageOfRank, type StrategySide } from '../engine/plan/strategy-side'
import { cachedFolder } from './folder-cache'
import { cachedStrategy } from './strategy-cache'

/** A checkpoint folder: ranks, files, sizes, and (with a strategy) disagreements between the two, in words. */
export async function describeFolder(path: string, strategy?: string): Promise<FolderDescription> {
  const { set, indexed, problems: indexing } = await cachedFolder(path)
  const problems: Problem[] = [...set.problems]
  problems.push(...indexing)
  let side: StrategySide | undefined
  if (strategy) {
    try {
      side = describeSide(await cachedStrategy(strategy), 'source strategy')
      buildParamCatalog(side, describeSide(undefined, 'destination strategy'), indexed, problems)
      const expected = side.stageDevices * side.stageCount
      const extra = set.ranks.filter((r) => r.rank >= expected).map((r) => r.rank)
      if (extra.length > 0)
        problems.push({
          severity: 'warning',
          message: `The strategy describes ${expected} ranks, but the folder also holds rank ${extra.join(', ')}.`
        })
      const absent = Array.from({ length: expected }, (_, r) => r).filter(
        (r) => !set.ranks.some((f) => f.rank === r) && !set.missingRanks.includes(r)
      )
      if (absent.length > 0)
        problems.push({
          severity: 'error',
          message: `The strategy describes ${expected} ranks, but rank ${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} missing from the folder.`
        })
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      problems.push({ severity: 'error', message: err.message })
    }
  }
  const seen = new Set<string>()
  return {
    path,
    format: set.format,
    totalBytes: set.totalBytes,
    ranks: set.ranks.map((r) => ({
      rank: r.rank,
      file: `rank_${r.rank}/${r.file}`,
      size: r.size,
      params: indexed.file(r.rank)?.records.names.length ?? 0,
      ...(side ? { stage: stageOfRank(side, r.rank).stage } : {})
    })),
    missingRanks: set.missingRanks,
    problems: problems
      .filter((p) => p.severity !== 'note' && !seen.has(p.message) && seen.add(p.message))
      .map((p) => ({ severity: p.severity === 'error' ? 'error' : 'warning', message: p.message }))
  }
}
