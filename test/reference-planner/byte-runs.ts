/**
 * How a box inside a C-order tensor decomposes into contiguous byte runs: trailing dimensions the box covers
 * completely merge into the run, the rest multiply the run count.
 */
export function contiguousRuns(
  shape: readonly number[],
  extent: readonly number[],
  elementBytes: number
): { runCount: number; runBytes: number; innerDims: number } {
  let runElements = 1
  let dim = shape.length
  // Merge trailing dimensions while the box spans them fully.
  while (dim > 0 && extent[dim - 1] === shape[dim - 1]) {
    runElements *= shape[dim - 1]!
    dim--
  }
  // The first partially covered dimension still contributes its extent to one run.
  if (dim > 0) {
    runElements *= extent[dim - 1]!
    dim--
  }
  let runCount = 1
  for (let i = 0; i < dim; i++) runCount *= extent[i]!
  return { runCount, runBytes: runElements * elementBytes, innerDims: shape.length - dim }
}

/** Row-major strides in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length)
  let stride = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride
    stride *= shape[i]!
  }
  return strides
}
