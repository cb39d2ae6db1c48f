import type { TensorFold, UnitRect } from './tensor-fold'

const MIN_PIECE = 6
const VECTOR_HEIGHT = 64
const MAX_ASPECT = 3
const MIN_ASPECT = 1 / 4

export interface TensorScale {
  width: number
  height: number
  /** Whether the drawing's aspect ratio had to be compressed to stay readable. */
  compressed: boolean
  toPixels(rect: UnitRect): UnitRect
}

/**
 * Element units to pixels: the tensor's own aspect ratio within limits, fitted to the space, and grown where
 * the smallest piece (one optimizer shard or block) would otherwise be thinner than a few pixels.
 */
export function scaleTensor(
  fold: TensorFold,
  piece: { rows: number; cols: number },
  space: { width: number; height: number }
): TensorScale {
  let width: number
  let height: number
  let compressed = false
  if (fold.kind === 'scalar') {
    width = 160
    height = VECTOR_HEIGHT
  } else if (fold.kind === 'vector') {
    width = space.width
    height = VECTOR_HEIGHT
  } else {
    const aspect = fold.rows / fold.cols
    const drawn = Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, aspect))
    compressed = drawn !== aspect
    width = Math.min(space.width, space.height / drawn)
    height = width * drawn
  }
  width = Math.max(width, (fold.cols / piece.cols) * MIN_PIECE)
  height = Math.max(height, (fold.rows / piece.rows) * MIN_PIECE)
  const sx = width / fold.cols
  const sy = height / fold.rows
  return {
    width,
    height,
    compressed,
    toPixels: (r) => ({ x: r.x * sx, y: r.y * sy, w: r.w * sx, h: r.h * sy })
  }
}
