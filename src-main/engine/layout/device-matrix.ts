/** Device-matrix arithmetic: ranks are row-major over the matrix, the last axis varying fastest (spec §4.2). */

export function deviceCount(devMatrix: readonly number[]): number {
  // A plain loop: the planner and the explorer call this once per layout of strategies with 100,000 of them.
  let product = 1
  for (let i = 0; i < devMatrix.length; i++) product *= devMatrix[i]!
  return product
}

export function rankToCoords(rank: number, devMatrix: readonly number[]): number[] {
  const coords = new Array<number>(devMatrix.length)
  let rest = rank
  for (let axis = devMatrix.length - 1; axis >= 0; axis--) {
    coords[axis] = rest % devMatrix[axis]!
    rest = Math.floor(rest / devMatrix[axis]!)
  }
  return coords
}

export function coordsToRank(coords: readonly number[], devMatrix: readonly number[]): number {
  let rank = 0
  for (let axis = 0; axis < devMatrix.length; axis++) rank = rank * devMatrix[axis]! + coords[axis]!
  return rank
}

/** Row-major index of `coords[axes]` over `devMatrix[axes]`, in the order the axes are given. */
export function indexOver(
  coords: readonly number[],
  axes: readonly number[],
  devMatrix: readonly number[]
): number {
  let index = 0
  for (const axis of axes) index = index * devMatrix[axis]! + coords[axis]!
  return index
}

/** The inverse of `indexOver`: writes the coordinates of `index` on `axes` into `coords`. */
export function setIndexOver(
  coords: number[],
  axes: readonly number[],
  devMatrix: readonly number[],
  index: number
): void {
  let rest = index
  for (let i = axes.length - 1; i >= 0; i--) {
    const axis = axes[i]!
    coords[axis] = rest % devMatrix[axis]!
    rest = Math.floor(rest / devMatrix[axis]!)
  }
}
