import { deviceCount, rankToCoords } from '../../../src-main/engine/layout/device-matrix'

/**
 * How an N-D device matrix is drawn in 2-D: the leading axes (of size > 1) become rows, the trailing ones
 * columns, split where the grid is closest to square (wider when in doubt). Size-1 axes change nothing and are
 * left out.
 */
export interface GridFold {
  rowAxes: number[]
  colAxes: number[]
  rows: number
  cols: number
  /** Row and column of each local rank. */
  cellOf(local: number): { row: number; col: number }
}

export function foldDeviceMatrix(devMatrix: readonly number[]): GridFold {
  const axes = devMatrix.map((_, axis) => axis).filter((axis) => devMatrix[axis]! > 1)
  let split = 0
  let best = Infinity
  for (let k = axes.length > 1 ? 1 : 0; k < Math.max(1, axes.length); k++) {
    const rows = deviceCount(axes.slice(0, k).map((a) => devMatrix[a]!))
    const cols = deviceCount(axes.slice(k).map((a) => devMatrix[a]!))
    const score = Math.max(rows, cols) + (rows > cols ? 0.5 : 0)
    if (score < best) {
      best = score
      split = k
    }
  }
  const rowAxes = axes.slice(0, split)
  const colAxes = axes.slice(split)
  const indexOn = (coords: number[], on: number[]) =>
    on.reduce((index, axis) => index * devMatrix[axis]! + coords[axis]!, 0)
  return {
    rowAxes,
    colAxes,
    rows: deviceCount(rowAxes.map((a) => devMatrix[a]!)),
    cols: deviceCount(colAxes.map((a) => devMatrix[a]!)),
    cellOf(local) {
      const coords = rankToCoords(local, devMatrix)
      return { row: indexOn(coords, rowAxes), col: indexOn(coords, colAxes) }
    }
  }
}

/**
 * Pixel offsets of the cells along one direction. Where an outer axis moves on, a separator gap is added, wider
 * for outer levels, so groups read as groups.
 */
export function cellOffsets(
  sizes: readonly number[],
  cell: number,
  gap: number,
  separator: number
): number[] {
  const count = deviceCount(sizes)
  const strides = sizes.map((_, level) => deviceCount(sizes.slice(level + 1)))
  return Array.from({ length: count }, (_, i) => {
    let offset = i * (cell + gap)
    for (let level = 0; level < sizes.length - 1; level++) {
      offset += Math.floor(i / strides[level]!) * separator * (sizes.length - 1 - level)
    }
    return offset
  })
}

/** Groups at one level of a direction: which cells each label spans. */
export function levelGroups(
  sizes: readonly number[],
  level: number
): { coord: number; first: number; last: number }[] {
  const stride = deviceCount(sizes.slice(level + 1))
  const groups = deviceCount(sizes.slice(0, level + 1))
  return Array.from({ length: groups }, (_, g) => ({
    coord: g % sizes[level]!,
    first: g * stride,
    last: (g + 1) * stride - 1
  }))
}
