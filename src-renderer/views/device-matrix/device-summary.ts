import { splitsPerDimension, type ShardLayout } from '../../../src-main/engine/layout/shard-layout'
import { plural } from '../../app/format'
import type { SliceGroups } from '../../viz/layout/slice-groups'

const axesText = (axes: readonly number[]) => `${axes.length === 1 ? 'axis' : 'axes'} ${axes.join(', ')}`

/** One sentence: how many distinct slices, how many copies of each, and what the optimizer adds. */
export function summarizeLayout(
  layout: ShardLayout,
  groups: SliceGroups,
  repeatAxes: readonly number[],
  tied: boolean
): string {
  const distinct = groups.stored.length
  const copies = groups.stored[0]?.ranks.length ?? 1
  const where = tied ? ' in each stage' : ''
  const parts: string[] = []
  if (distinct === 1)
    parts.push(
      copies === 1
        ? 'The one rank holds the whole tensor'
        : `Every rank holds the whole tensor (${copies} replicas${where})`
    )
  else
    parts.push(
      copies === 1
        ? `${plural(distinct, 'distinct slice')}, each on one rank${where}`
        : `${plural(distinct, 'distinct slice')} × ${copies} replicas${where}`
    )
  const ways = splitsPerDimension(layout)
  const splits = layout.dimAxes
    .map((axes, dim) => ({ axes, dim, ways: ways[dim]! }))
    .filter((s) => s.ways > 1)
    .map((s) => `dim ${s.dim} split ${s.ways}-way over ${axesText(s.axes)}`)
  if (splits.length > 0) parts.push(splits.join(', '))
  if (layout.optShards > 1) parts.push(`optimizer shard ${layout.optShards} over ${axesText(repeatAxes)}`)
  return parts.join('; ')
}
