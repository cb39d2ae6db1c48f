import { blockCastFor } from './cast-blocks'
import type { FloatDtype } from './kernels'

const ELEMENT_BYTES: Readonly<Record<FloatDtype, number>> = {
  Float16: 2,
  BFloat16: 2,
  Float32: 4,
  Float64: 8
}

/** Elements per block: big enough to amortise view creation, small enough that staging stays in cache. */
const BLOCK_ELEMENTS = 16384

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

let stagingIn = new Uint8Array(0)
let stagingOut = new Uint8Array(0)

/**
 * Converts `count` little-endian elements between float dtypes as NumPy's astype does: widening is exact,
 * narrowing rounds once to nearest, ties to even, with subnormals and overflow to infinity; NaN stays a quiet
 * NaN with its sign and top payload bits (NumPy's float16 casts would leave a signalling NaN signalling).
 * The arrays may sit at any byte offset.
 */
export function castFloatsJs(
  src: Uint8Array,
  srcDtype: FloatDtype,
  dst: Uint8Array,
  dstDtype: FloatDtype,
  count: number
): void {
  const srcBytes = elementBytesOf(srcDtype, 'srcDtype')
  const dstBytes = elementBytesOf(dstDtype, 'dstDtype')
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`castFloats: count must be a non-negative integer, got ${count}`)
  }
  if (count * srcBytes > src.byteLength) {
    throw new RangeError(`castFloats: src holds ${src.byteLength} bytes, fewer than ${count} ${srcDtype}`)
  }
  if (count * dstBytes > dst.byteLength) {
    throw new RangeError(`castFloats: dst holds ${dst.byteLength} bytes, fewer than ${count} ${dstDtype}`)
  }
  if (srcDtype === dstDtype) {
    dst.set(src.subarray(0, count * srcBytes))
    return
  }
  const cast = blockCastFor(srcDtype, dstDtype)
  ensureStaging(Math.min(count, BLOCK_ELEMENTS) * 8)
  for (let first = 0; first < count; first += BLOCK_ELEMENTS) {
    const n = Math.min(BLOCK_ELEMENTS, count - first)
    const input = src.subarray(first * srcBytes, (first + n) * srcBytes)
    const output = dst.subarray(first * dstBytes, (first + n) * dstBytes)
    const inputReady = isAddressable(input, srcBytes) ? input : staged(input, srcBytes)
    if (isAddressable(output, dstBytes)) {
      cast(inputReady, output, n)
      continue
    }
    const outputStaged = stagingOut.subarray(0, output.byteLength)
    cast(inputReady, outputStaged, n)
    if (!HOST_IS_LITTLE_ENDIAN) reverseEachElement(outputStaged, dstBytes)
    output.set(outputStaged)
  }
}

function elementBytesOf(dtype: FloatDtype, what: string): number {
  if (!Object.hasOwn(ELEMENT_BYTES, dtype)) {
    throw new TypeError(
      `castFloats: ${what} must be Float16, BFloat16, Float32 or Float64, got ${String(dtype)}`
    )
  }
  return ELEMENT_BYTES[dtype]
}

/** Typed-array views need the element size's alignment, and they read in host byte order. */
function isAddressable(bytes: Uint8Array, elementBytes: number): boolean {
  return HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % elementBytes === 0
}

function ensureStaging(bytes: number): void {
  if (stagingIn.byteLength < bytes) stagingIn = new Uint8Array(bytes)
  if (stagingOut.byteLength < bytes) stagingOut = new Uint8Array(bytes)
}

function staged(bytes: Uint8Array, elementBytes: number): Uint8Array {
  const copy = stagingIn.subarray(0, bytes.byteLength)
  copy.set(bytes)
  if (!HOST_IS_LITTLE_ENDIAN) reverseEachElement(copy, elementBytes)
  return copy
}

function reverseEachElement(bytes: Uint8Array, elementBytes: number): void {
  for (let at = 0; at < bytes.byteLength; at += elementBytes) {
    for (let low = at, high = at + elementBytes - 1; low < high; low++, high--) {
      const byte = bytes[low]!
      bytes[low] = bytes[high]!
      bytes[high] = byte
    }
  }
}
