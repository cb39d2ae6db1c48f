import type { ParamRow } from '../../../src-main/api/contract'
import { boxVolume, type Box } from '../../../src-main/engine/layout/box'
import { formatBytes, formatShape } from '../../app/format'
import { describeRanks, describeSlice } from '../../viz/layout/describe-layout'
import { elementBytes } from '../../viz/layout/param-geometry'
import type { BlockTarget } from './SliceBlocks'

interface BlockContext {
  row: ParamRow
  shape: number[]
  shapeKnown: boolean
  optShards: number
}

/** The tooltip of a block: who holds it, where it lies, how big it is. */
export function describeBlock(target: BlockTarget, context: BlockContext): string[] {
  const piece = target.kind === 'shard' ? target.shard : target.slice.shards[0]!
  const ranks = piece.ranks
  const title =
    ranks.length === 1 ? `Rank ${ranks[0]}` : `Ranks ${ranks.join(', ')} — ${ranks.length} replicas`
  const lines = [title]
  if (target.kind === 'shard') {
    lines.push(
      `Optimizer shard ${target.shard.optIndex + 1} of ${context.optShards} of the slice held by ${describeRanks(target.slice.ranks)}`
    )
  } else if (ranks.length > 1) {
    lines.push(`Held by ${describeRanks(ranks)}`)
  }
  lines.push(...boxLines(piece.box, context))
  return lines
}

function boxLines(box: Box, { row, shape, shapeKnown }: BlockContext): string[] {
  if (!shapeKnown)
    return [describeSlice(box, shape, false), 'Shape unknown: open the checkpoint folder for sizes']
  const bytesPerElement = elementBytes(row)
  const size = bytesPerElement === undefined ? '' : ` · ${formatBytes(boxVolume(box) * bytesPerElement)}`
  return [
    `offset ${formatShape(box.offset)} · extent ${formatShape(box.extent)}${size}`,
    describeSlice(box, shape, true)
  ]
}
