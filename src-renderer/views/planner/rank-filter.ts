import type { PlanRankSummary } from '../../../src-main/api/contract'
import { parseRanks } from '../../store/plan-request'

export type RankFilterMode = 'destination' | 'source'

/**
 * The destination ranks a search keeps: by their own rank, or by the source ranks they read ("which outputs
 * need source rank 700?"). The text is a rank list as the planner's rank field takes it, e.g. "0-3, 12"; an
 * empty text keeps every rank, a malformed one none, with the reason.
 */
export function filterRanks(
  ranks: readonly PlanRankSummary[],
  text: string,
  mode: RankFilterMode
): { ranks: readonly PlanRankSummary[]; problem?: string } {
  if (!text.trim()) return { ranks }
  const parsed = parseRanks(text)
  if (typeof parsed === 'string') return { ranks: [], problem: parsed }
  const wanted = new Set(parsed)
  return {
    ranks: ranks.filter((r) =>
      mode === 'destination' ? wanted.has(r.rank) : r.sourceRanks.some((s) => wanted.has(s))
    )
  }
}

/** Rows a virtual table draws: those in view and a few either side, as [first, end). */
export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan)
  const end = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan)
  return [first, Math.max(first, end)]
}
