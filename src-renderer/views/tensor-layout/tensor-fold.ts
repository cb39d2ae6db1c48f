import { elementCount } from '../../../src-main/engine/formats/tensor-entry'
import type { Box } from '../../../src-main/engine/layout/box'

/** A rectangle in element units of the folded 2-D drawing. */
export interface UnitRect {
  x: number
  y: number
  w: number
  h: number
}

/**
 * How an N-D tensor is laid flat: dim 0 runs down the rows and the other dimensions across the columns. With
 * three or more dimensions the columns are grouped by block (all of one block's columns together), so every
 * slice stays one rectangle; a 1-D tensor is one row, a scalar one cell.
 */
export interface TensorFold {
  kind: 'scalar' | 'vector' | 'matrix' | 'folded'
  rows: number
  cols: number
  /** What the rows and columns are, in words. */
  rowLabel: string
  colLabel: string
  explanation: string
  rectOf(box: Box): UnitRect
}

/** `shapeKnown` false: the shape is a stand-in of unit sizes, so captions leave the sizes out. */
export function foldTensor(shape: readonly number[], shapeKnown: boolean): TensorFold {
  const size = (text: string) => (shapeKnown ? ` (${text})` : '')
  if (shape.length === 0) {
    return {
      kind: 'scalar',
      rows: 1,
      cols: 1,
      rowLabel: '',
      colLabel: '',
      explanation: 'a scalar: one cell',
      rectOf: () => ({ x: 0, y: 0, w: 1, h: 1 })
    }
  }
  if (shape.length === 1) {
    return {
      kind: 'vector',
      rows: 1,
      cols: shape[0]!,
      rowLabel: '',
      colLabel: `dim 0${size(String(shape[0]))}`,
      explanation: '1-D: dim 0 across one row',
      rectOf: (box) => ({ x: box.offset[0]!, y: 0, w: box.extent[0]!, h: 1 })
    }
  }
  const rest = shape.slice(1)
  const cols = elementCount(rest)
  const folded = shape.length > 2
  const restDims = folded ? `dims 1–${shape.length - 1}` : 'dim 1'
  return {
    kind: folded ? 'folded' : 'matrix',
    rows: shape[0]!,
    cols,
    rowLabel: `dim 0${size(String(shape[0]))}`,
    colLabel: folded
      ? `${restDims}${size(`${rest.join(' × ')} = ${cols}`)}`
      : `dim 1${size(String(shape[1]))}`,
    explanation: folded
      ? `rows: dim 0; columns: ${restDims} folded${size(rest.join(' × '))}, grouped by block`
      : 'rows: dim 0, columns: dim 1',
    rectOf(box) {
      // The block's index over dims 1.. (row-major), times its width, places it among the grouped columns.
      let index = 0
      for (let dim = 1; dim < shape.length; dim++) {
        index = index * (shape[dim]! / box.extent[dim]!) + box.offset[dim]! / box.extent[dim]!
      }
      const width = elementCount(box.extent.slice(1))
      return { x: index * width, y: box.offset[0]!, w: width, h: box.extent[0]! }
    }
  }
}
