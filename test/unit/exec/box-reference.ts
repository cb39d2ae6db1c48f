// Test-side reference for copyBox: random boxes in partially held tensors, and an element-by-element copy.
import { stridesOf } from '../../../src-main/engine/plan/byte-runs'
import type { CopyBoxArgs } from '../../../src-main/engine/exec/kernels'
import type { RandomSource } from './float-reference'

/** A random box in random C-order tensors up to 4-D, each array holding only part of its tensor. */
export function randomBoxCase(random: RandomSource): CopyBoxArgs {
  const ndim = random.int(5)
  const elementBytes = random.pick([1, 2, 4, 8])
  const extent: number[] = []
  const srcShape: number[] = []
  const dstShape: number[] = []
  const wholeTail = random.int(2) === 1 // trailing axes spanned fully in both tensors merge into longer runs
  for (let i = 0; i < ndim; i++) {
    const length = random.int(10) === 0 ? 0 : 1 + random.int(5)
    extent.push(length)
    const whole = wholeTail && i >= ndim - 2
    srcShape.push(whole ? length : length + random.int(4))
    dstShape.push(whole ? length : length + random.int(4))
  }
  const srcStart = srcShape.map((size, i) => random.int(size - extent[i]! + 1))
  const dstStart = dstShape.map((size, i) => random.int(size - extent[i]! + 1))
  const src = partialTensor(random, srcShape, srcStart, extent, elementBytes)
  const dst = partialTensor(random, dstShape, dstStart, extent, elementBytes)
  return {
    src: src.bytes,
    srcShape,
    srcBase: src.base,
    srcStart,
    dst: dst.bytes,
    dstShape,
    dstBase: dst.base,
    dstStart,
    extent,
    elementBytes
  }
}

/** Random bytes for the stretch of the flat tensor that holds the box, at a random byte offset in a larger buffer. */
export function partialTensor(
  random: RandomSource,
  shape: number[],
  start: number[],
  extent: number[],
  elementBytes: number
): { bytes: Uint8Array; base: number } {
  const strides = stridesOf(shape)
  const first = start.reduce((sum, s, i) => sum + s * strides[i]!, 0)
  const last = extent.some((length) => length === 0)
    ? first
    : start.reduce((sum, s, i) => sum + (s + extent[i]! - 1) * strides[i]!, 0)
  const base = random.int(first + 1)
  const elements = last - base + 1 + random.int(3)
  const offset = random.int(8)
  const bytes = new Uint8Array(offset + elements * elementBytes).subarray(offset)
  bytes.forEach((_, i) => (bytes[i] = random.int(256)))
  return { bytes, base }
}

export function naiveCopyBox(args: CopyBoxArgs): void {
  const { extent, elementBytes: e } = args
  if (extent.some((length) => length === 0)) return
  const srcStrides = stridesOf(args.srcShape)
  const dstStrides = stridesOf(args.dstShape)
  const total = extent.reduce((a, b) => a * b, 1)
  for (let flat = 0; flat < total; flat++) {
    let rest = flat
    let srcIndex = -args.srcBase
    let dstIndex = -args.dstBase
    for (let i = extent.length - 1; i >= 0; i--) {
      const coordinate = rest % extent[i]!
      rest = Math.floor(rest / extent[i]!)
      srcIndex += (args.srcStart[i]! + coordinate) * srcStrides[i]!
      dstIndex += (args.dstStart[i]! + coordinate) * dstStrides[i]!
    }
    for (let b = 0; b < e; b++) args.dst[dstIndex * e + b] = args.src[srcIndex * e + b]!
  }
}

export function describeBox(args: CopyBoxArgs, trial: number): string {
  const { src: _src, dst: _dst, ...shape } = args
  return `trial ${trial}: ${JSON.stringify(shape)}`
}
