import type { TransformPlan } from '../plan/plan-types'

export type RankState = 'queued' | 'checking' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled'

export interface RankProgress {
  rank: number
  output: string
  state: RankState
  bytesDone: number
  bytesTotal: number
  paramsDone: number
  paramsTotal: number
}

export interface TransformProgress {
  ranks: RankProgress[]
  bytesDone: number
  bytesTotal: number
  paramsDone: number
  paramsTotal: number
  ranksDone: number
  ranksSkipped: number
  ranksTotal: number
  elapsedSeconds: number
  bytesPerSecond: number
  /** Undefined until there is a rate to extrapolate from. */
  etaSeconds?: number
}

export function initialProgress(plan: TransformPlan): TransformProgress {
  const ranks: RankProgress[] = plan.ranks.map((r) => ({
    rank: r.rank,
    output: r.output,
    state: 'queued',
    bytesDone: 0,
    bytesTotal: r.totals.bytesWritten,
    paramsDone: 0,
    paramsTotal: r.paramCount
  }))
  return {
    ranks,
    bytesDone: 0,
    bytesTotal: ranks.reduce((s, r) => s + r.bytesTotal, 0),
    paramsDone: 0,
    paramsTotal: ranks.reduce((s, r) => s + r.paramsTotal, 0),
    ranksDone: 0,
    ranksSkipped: 0,
    ranksTotal: ranks.length,
    elapsedSeconds: 0,
    bytesPerSecond: 0
  }
}

/** Recomputes the totals from the per-rank figures; the caller sends a copy to its listener. */
export function updateTotals(progress: TransformProgress, started: number): void {
  const elapsed = (Date.now() - started) / 1000
  progress.elapsedSeconds = elapsed
  progress.bytesDone = progress.ranks.reduce((s, r) => s + (r.state === 'skipped' ? 0 : r.bytesDone), 0)
  progress.paramsDone = progress.ranks.reduce((s, r) => s + r.paramsDone, 0)
  progress.bytesPerSecond = elapsed > 0 ? progress.bytesDone / elapsed : 0
  const remaining = progress.bytesTotal - progress.bytesDone
  progress.etaSeconds = progress.bytesPerSecond > 0 ? remaining / progress.bytesPerSecond : undefined
}
