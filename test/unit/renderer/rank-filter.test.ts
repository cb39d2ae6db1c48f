import { describe, expect, it } from 'vitest'
import type { PlanRankSummary } from '../../../src-main/api/contract'
import { filterRanks, visibleRows } from '../../../src-renderer/views/planner/rank-filter'

const ranks = Array.from(
  { length: 256 },
  (_, r) => ({ rank: r, sourceRanks: [4 * r, 4 * r + 1, 4 * r + 2, 4 * r + 3] }) as PlanRankSummary
)

describe('finding outputs in a large plan', () => {
  it('keeps the destination ranks asked for, or those reading the given source ranks', () => {
    expect(filterRanks(ranks, '', 'destination').ranks).toHaveLength(256)
    expect(filterRanks(ranks, '12, 200-201', 'destination').ranks.map((r) => r.rank)).toEqual([12, 200, 201])
    expect(filterRanks(ranks, '700', 'source').ranks.map((r) => r.rank)).toEqual([175])
    expect(filterRanks(ranks, '1020-1023, 0', 'source').ranks.map((r) => r.rank)).toEqual([0, 255])
  })

  it('says why a search is not a rank list, and keeps nothing', () => {
    const found = filterRanks(ranks, '3-', 'destination')
    expect(found.ranks).toEqual([])
    expect(found.problem).toMatch(/not a rank or a range of ranks/)
  })

  it('draws the rows in view and a few more', () => {
    expect(visibleRows(0, 420, 30, 256)).toEqual([0, 22])
    expect(visibleRows(3000, 420, 30, 256)).toEqual([92, 122])
    expect(visibleRows(7500, 420, 30, 256)).toEqual([242, 256])
    expect(visibleRows(0, 420, 30, 0)).toEqual([0, 0])
  })
})
