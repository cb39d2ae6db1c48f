import { stridesOf } from '../plan/byte-runs'

/** The floating-point dtypes a conversion can cast between. */
export type FloatDtype = 'Float16' | 'BFloat16' | 'Float32' | 'Float64'

export interface CopyBoxArgs {
  /** Holds a contiguous part of the source tensor, starting at flat element `srcBase`. */
  src: Uint8Array
  srcShape: readonly number[]
  srcBase: number
  /** Box start in the source tensor's coordinates. */
  srcStart: readonly number[]
  /** Holds a contiguous part of the destination tensor, starting at flat element `dstBase`. */
  dst: Uint8Array
  dstShape: readonly number[]
  dstBase: number
  dstStart: readonly number[]
  extent: readonly number[]
  elementBytes: number
}

/**
 * The executor's hot loops. Everything that touches tensor bytes element by element goes through here, so a
 * native implementation can replace the JavaScript one without touching callers.
 */
export interface Kernels {
  readonly name: string
  /** Copies a box of elements between two C-order arrays of the same element size. */
  copyBox(args: CopyBoxArgs): void
  /** Converts `count` elements between float dtypes; narrowing rounds to nearest, ties to even (NumPy's astype). */
  castFloats(
    src: Uint8Array,
    srcDtype: FloatDtype,
    dst: Uint8Array,
    dstDtype: FloatDtype,
    count: number
  ): void
}

/** Strided box copy in JavaScript: contiguous runs go through TypedArray.set (a memcpy), short ones byte by byte. */
export function copyBoxJs(args: CopyBoxArgs): void {
  const { src, dst, extent, elementBytes: e } = args
  const ndim = extent.length
  if (extent.some((length) => length === 0)) return
  if (ndim === 0) {
    dst.set(src.subarray((0 - args.srcBase) * e, (1 - args.srcBase) * e), -args.dstBase * e)
    return
  }
  const srcStrides = stridesOf(args.srcShape)
  const dstStrides = stridesOf(args.dstShape)
  // Merge trailing dimensions that are whole in both arrays: they form one contiguous run.
  let inner = ndim - 1
  let runElements = extent[inner]!
  while (inner > 0 && extent[inner] === args.srcShape[inner] && extent[inner] === args.dstShape[inner]) {
    inner--
    runElements *= extent[inner]!
  }
  const runBytes = runElements * e
  let srcOffset = -args.srcBase
  let dstOffset = -args.dstBase
  for (let i = 0; i < ndim; i++) {
    srcOffset += args.srcStart[i]! * srcStrides[i]!
    dstOffset += args.dstStart[i]! * dstStrides[i]!
  }
  const index = new Array<number>(inner).fill(0)
  for (;;) {
    const s = srcOffset * e
    const d = dstOffset * e
    if (runBytes <= 16) for (let b = 0; b < runBytes; b++) dst[d + b] = src[s + b]!
    else dst.set(src.subarray(s, s + runBytes), d)
    // Odometer over the outer dimensions [0, inner).
    let dim = inner - 1
    while (dim >= 0) {
      index[dim]!++
      srcOffset += srcStrides[dim]!
      dstOffset += dstStrides[dim]!
      if (index[dim]! < extent[dim]!) break
      srcOffset -= srcStrides[dim]! * extent[dim]!
      dstOffset -= dstStrides[dim]! * extent[dim]!
      index[dim] = 0
      dim--
    }
    if (dim < 0) return
  }
}
