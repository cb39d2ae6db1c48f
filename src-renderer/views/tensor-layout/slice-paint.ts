import type { ModelSlice, SliceGroups } from '../../viz/layout/slice-groups'
import { sliceColor, sliceTint } from '../../viz/layout/slice-colors'
import { type PaintedBlock } from './painted-block'
import type { BlockTarget } from './SliceBlocks'
import type { TensorFold } from './tensor-fold'
import type { TensorScale } from './tensor-scale'

/**
 * Beyond this many blocks the tensor layout paints them into one image instead of an SVG group each: 4,096
 * groups with titles and handlers took seconds to mount, while painting them takes milliseconds.
 */
export const PAINTED_BLOCKS = 512

/** The blocks to paint: model-parallel slices, or their optimizer shards when the layout has them. */
export function paintedBlocks(
  groups: SliceGroups,
  fold: TensorFold,
  scale: TensorScale,
  colorIndex: Map<string, number>,
  optimizerSharded: boolean
): PaintedBlock<BlockTarget>[] {
  const pixels = (box: ModelSlice['box']) => scale.toPixels(fold.rectOf(box))
  const blocks: PaintedBlock<BlockTarget>[] = []
  for (const slice of groups.model) {
    const shards = optimizerSharded ? slice.shards : [slice.shards[0]!]
    for (const shard of shards) {
      const index = colorIndex.get(shard.key) ?? 0
      blocks.push({
        rect: pixels(optimizerSharded ? shard.box : slice.box),
        fill: sliceTint(index),
        stroke: sliceColor(index),
        target: optimizerSharded ? { kind: 'shard', slice, shard } : { kind: 'slice', slice }
      })
    }
  }
  return blocks
}

/**
 * Paints the blocks (fill, then a hairline in the slice colour when the block is big enough to show one) at
 * `ratio` device pixels per drawing pixel, and returns the picture as a PNG data URL for an SVG <image>, so
 * exports carry it as they carry the rest of the drawing.
 */
export function paintBlocks(
  blocks: readonly PaintedBlock<unknown>[],
  size: { width: number; height: number },
  ratio: number
): string {
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.ceil(size.width * ratio))
  canvas.height = Math.max(1, Math.ceil(size.height * ratio))
  const context = canvas.getContext('2d')
  if (!context) return ''
  context.scale(ratio, ratio)
  for (const { rect, fill, stroke } of blocks) {
    const w = Math.max(rect.w, 1)
    const h = Math.max(rect.h, 1)
    context.fillStyle = fill
    context.fillRect(rect.x, rect.y, w, h)
    if (w >= 4 && h >= 4) {
      context.strokeStyle = stroke
      context.lineWidth = 1
      context.strokeRect(rect.x + 0.5, rect.y + 0.5, w - 1, h - 1)
    }
  }
  return canvas.toDataURL('image/png')
}
