import type { Box } from '../../../src-main/engine/layout/box'
import type { ShardLayout } from '../../../src-main/engine/layout/shard-layout'

/** "dim 0: 0–31, dim 1: 0–63" (inclusive ends, as people count rows). */
export function describeBox(box: Box): string {
  if (box.offset.length === 0) return 'the whole scalar'
  return box.offset.map((start, dim) => `dim ${dim}: ${start}–${start + box.extent[dim]! - 1}`).join(', ')
}

/** "ranks 0, 2" / "rank 5"; long lists keep both ends. */
export function describeRanks(ranks: readonly number[], limit = 12): string {
  const word = ranks.length === 1 ? 'rank' : 'ranks'
  if (ranks.length <= limit) return `${word} ${ranks.join(', ')}`
  const head = ranks.slice(0, limit - 2).join(', ')
  return `${word} ${head}, … ${ranks[ranks.length - 1]} (${ranks.length} ranks)`
}

/** What happens along one device axis: which dimension it splits, or that ranks along it hold copies. */
export function describeAxisRole(layout: ShardLayout, axis: number): string {
  const size = layout.devMatrix[axis]!
  const dim = layout.dimAxes.findIndex((axes) => axes.includes(axis))
  if (dim >= 0) {
    const axes = layout.dimAxes[dim]!
    const part = axes.length > 1 ? ` (${axes.indexOf(axis) === 0 ? 'outer' : 'inner'} part)` : ''
    return `splits dim ${dim}${part}`
  }
  if (size === 1) return 'size 1, no effect'
  return layout.optShards > 1 ? 'replicated · optimizer-sharded' : 'replicated'
}

export function axisLabel(layout: ShardLayout, axis: number): string {
  return `axis ${axis} (size ${layout.devMatrix[axis]}): ${describeAxisRole(layout, axis)}`
}

/** A box in element ranges, or, when the shape is unknown, as which part of each dimension it is ("parts [1/2, 2/2]"). */
export function describeSlice(box: Box, shape: readonly number[], shapeKnown: boolean): string {
  if (shapeKnown) return describeBox(box)
  if (box.offset.length === 0) return 'the whole scalar'
  return `parts ${partsOf(box, shape)}`
}

/** "[2/4, 1/1]": which of how many equal parts the box is along each dimension. */
export function partsOf(box: Box, shape: readonly number[]): string {
  const parts = box.offset.map(
    (start, dim) => `${start / box.extent[dim]! + 1}/${shape[dim]! / box.extent[dim]!}`
  )
  return `[${parts.join(', ')}]`
}

/** "stage 1 holds a tied copy" / "stages 1, 2 hold tied copies". */
export function describeTiedStages(stages: readonly number[]): string {
  return stages.length === 1
    ? `stage ${stages[0]} holds a tied copy`
    : `stages ${stages.join(', ')} hold tied copies`
}
