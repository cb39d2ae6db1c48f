import { elementCount } from '../../../src-main/engine/formats/tensor-entry'

/** A rectangle in the 2-D folded view of a tensor, in element units. */
export interface FoldedRect {
  row: number
  rows: number
  col: number
  cols: number
}

export interface FoldedGrid {
  rows: number
  cols: number
}

/**
 * An N-D tensor drawn as dim 0 × (the other dims flattened, row-major). A 1-D tensor is drawn as one row, which
 * reads better than one tall column.
 */
export function foldShape(shape: readonly number[]): FoldedGrid {
  if (shape.length <= 1) return { rows: 1, cols: shape[0] ?? 1 }
  return { rows: shape[0]!, cols: elementCount(shape.slice(1)) }
}

/**
 * The rectangles a box covers in the folded view. A box split along an inner dimension is strided there, so it
 * covers several column runs; beyond `limit` runs the bounding span is returned instead, marked approximate.
 */
export function foldBox(
  shape: readonly number[],
  offset: readonly number[],
  extent: readonly number[],
  limit = 256
): { rects: FoldedRect[]; approximate: boolean } {
  if (shape.length === 0) return { rects: [{ row: 0, rows: 1, col: 0, cols: 1 }], approximate: false }
  if (shape.length === 1)
    return { rects: [{ row: 0, rows: 1, col: offset[0]!, cols: extent[0]! }], approximate: false }
  const row = offset[0]!
  const rows = extent[0]!
  const inner = shape.slice(1)
  const from = offset.slice(1)
  const size = extent.slice(1)
  // The last inner dimension the box does not cover fully: below it the box is contiguous.
  let split = -1
  inner.forEach((dim, i) => {
    if (size[i]! < dim) split = i
  })
  if (split < 0) return { rects: [{ row, rows, col: 0, cols: elementCount(inner) }], approximate: false }
  const stride = inner.map((_, i) => elementCount(inner.slice(i + 1)))
  const runLength = size[split]! * stride[split]!
  const outer = size.slice(0, split)
  const runs = elementCount(outer)
  if (runs > limit) {
    const first = from.reduce((s, v, i) => s + v * stride[i]!, 0)
    const last = from.reduce((s, v, i) => s + (v + size[i]! - 1) * stride[i]!, 0)
    return { rects: [{ row, rows, col: first, cols: last - first + 1 }], approximate: true }
  }
  const rects: FoldedRect[] = []
  for (let n = 0; n < runs; n++) {
    let rest = n
    let col = from[split]! * stride[split]!
    for (let i = split - 1; i >= 0; i--) {
      col += (from[i]! + (rest % outer[i]!)) * stride[i]!
      rest = Math.floor(rest / outer[i]!)
    }
    rects.push({ row, rows, col, cols: runLength })
  }
  return { rects, approximate: false }
}
