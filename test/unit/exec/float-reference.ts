// Test-side references for the float kernels, written independently of the implementation: values come from
// the format definition, rounding from a search over every representable value.
import type { FloatDtype, Kernels } from '../../../src-main/engine/exec/kernels'

export const ELEMENT_BYTES: Record<FloatDtype, number> = { Float16: 2, BFloat16: 2, Float32: 4, Float64: 8 }
export const DTYPES: FloatDtype[] = ['Float16', 'BFloat16', 'Float32', 'Float64']

export interface SmallFormat {
  fractionBits: number
  exponentBits: number
}
export const HALF: SmallFormat = { fractionBits: 10, exponentBits: 5 }
export const BRAIN: SmallFormat = { fractionBits: 7, exponentBits: 8 }

export function writeBits(dtype: FloatDtype, bits: readonly bigint[], byteOffset = 0): Uint8Array {
  const bytes = new Uint8Array(byteOffset + bits.length * ELEMENT_BYTES[dtype]).subarray(byteOffset)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  bits.forEach((value, i) => setBits(view, dtype, i, value))
  return bytes
}

export function readBits(dtype: FloatDtype, bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Array.from({ length: bytes.byteLength / ELEMENT_BYTES[dtype] }, (_, i) => getBits(view, dtype, i))
}

function setBits(view: DataView, dtype: FloatDtype, index: number, value: bigint): void {
  const at = index * ELEMENT_BYTES[dtype]
  if (dtype === 'Float64') view.setBigUint64(at, value, true)
  else if (dtype === 'Float32') view.setUint32(at, Number(value), true)
  else view.setUint16(at, Number(value), true)
}

function getBits(view: DataView, dtype: FloatDtype, index: number): bigint {
  const at = index * ELEMENT_BYTES[dtype]
  if (dtype === 'Float64') return view.getBigUint64(at, true)
  if (dtype === 'Float32') return BigInt(view.getUint32(at, true))
  return BigInt(view.getUint16(at, true))
}

/** Casts bit patterns through a kernel set, from a buffer at `byteOffset` so misalignment can be exercised. */
export function castBits(
  kernels: Kernels,
  from: FloatDtype,
  bits: readonly bigint[],
  to: FloatDtype,
  byteOffset = 0
): bigint[] {
  const src = writeBits(from, bits, byteOffset)
  const dst = new Uint8Array(byteOffset + bits.length * ELEMENT_BYTES[to]).subarray(byteOffset)
  kernels.castFloats(src, from, dst, to, bits.length)
  return readBits(to, dst)
}

/** The value of a small-format bit pattern, from the definition: (-1)^s · 2^(e - bias) · 1.f, or 0.f below. */
export function decodeSmall(bits: number, format: SmallFormat): number {
  const bias = 2 ** (format.exponentBits - 1) - 1
  const sign = bits >> (format.fractionBits + format.exponentBits) ? -1 : 1
  const biased = (bits >> format.fractionBits) & (2 ** format.exponentBits - 1)
  const fraction = (bits & (2 ** format.fractionBits - 1)) / 2 ** format.fractionBits
  if (biased === 2 ** format.exponentBits - 1) return fraction === 0 ? sign * Infinity : NaN
  if (biased === 0) return sign * fraction * 2 ** (1 - bias)
  return sign * (1 + fraction) * 2 ** (biased - bias)
}

/**
 * Round-to-nearest-even into a small format by search: positive patterns sort like their values, so binary
 * search finds the neighbours, and the exact midpoint (representable in a double) decides. The value past the
 * largest finite one is 2^(maxExponent + 1), whose even pattern is infinity, as IEEE rounding prescribes.
 */
export function roundSmallReference(value: number, format: SmallFormat): number {
  const signBit = 2 ** (format.fractionBits + format.exponentBits)
  const infinity = (2 ** format.exponentBits - 1) * 2 ** format.fractionBits
  const sign = value < 0 || Object.is(value, -0) ? signBit : 0
  const magnitude = Math.abs(value)
  const beyond = 2 ** (2 ** (format.exponentBits - 1))
  const valueOf = (bits: number) => (bits === infinity ? beyond : decodeSmall(bits, format))
  if (magnitude >= beyond) return sign + infinity
  let low = 0
  let high = infinity
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (valueOf(middle) <= magnitude) low = middle
    else high = middle - 1
  }
  const midpoint = (valueOf(low) + valueOf(low + 1)) / 2
  if (magnitude < midpoint) return sign + low
  if (magnitude > midpoint) return sign + low + 1
  return sign + (low % 2 === 0 ? low : low + 1)
}

/** Deterministic xorshift32 stream, so a failing random case reproduces. */
export function randomSource(seed: number) {
  let state = seed >>> 0 || 1
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
  const int = (below: number) => Math.floor(next() * below)
  const uint32 = () => int(2 ** 32)
  return { next, int, uint32, pick: <T>(items: readonly T[]) => items[int(items.length)]! }
}
export type RandomSource = ReturnType<typeof randomSource>

export function asFloat32(bits: bigint): number {
  return new Float32Array(new Uint32Array([Number(bits)]).buffer)[0]!
}

export function asFloat64(bits: bigint): number {
  return new Float64Array(new BigUint64Array([bits]).buffer)[0]!
}

export function isQuietNaNWithSign(dtype: FloatDtype, bits: bigint, sign: number): boolean {
  const fractionBits = { Float16: 10, BFloat16: 7, Float32: 23, Float64: 52 }[dtype]
  const width = BigInt(ELEMENT_BYTES[dtype] * 8)
  const exponentOnes = ((1n << (width - 1n)) - 1n) >> BigInt(fractionBits)
  const quietBit = 1n << BigInt(fractionBits - 1)
  return (
    bits >> (width - 1n) === BigInt(sign) &&
    ((bits >> BigInt(fractionBits)) & exponentOnes) === exponentOnes &&
    (bits & quietBit) !== 0n
  )
}

export function randomFloat64Bits(random: RandomSource, minExponent: number, maxExponent: number): bigint {
  const biased = BigInt(1023 + minExponent + random.int(maxExponent - minExponent + 1))
  const fraction = (BigInt(random.uint32() & 0xfffff) << 32n) | BigInt(random.uint32())
  return (BigInt(random.int(2)) << 63n) | (biased << 52n) | fraction
}

/** Values across the target's range, exact ties between neighbours, one ulp either side, and raw bit noise. */
export function narrowingInputs(
  random: RandomSource,
  from: FloatDtype,
  format: SmallFormat,
  count: number
): bigint[] {
  const bias = 2 ** (format.exponentBits - 1) - 1
  const largest = (2 ** format.exponentBits - 1) * 2 ** format.fractionBits - 1
  const toBits = (value: number) =>
    from === 'Float32'
      ? BigInt(new Uint32Array(new Float32Array([value]).buffer)[0]!)
      : new BigUint64Array(new Float64Array([value]).buffer)[0]!
  const inputs: bigint[] = []
  while (inputs.length < count) {
    const kind = random.int(4)
    if (kind === 0) {
      const low = random.int(largest + 1)
      const sign = random.int(2) ? -1 : 1
      const tie = toBits(
        sign *
          ((decodeSmall(low, format) + (low === largest ? 2 ** (bias + 1) : decodeSmall(low + 1, format))) /
            2)
      )
      inputs.push(tie, tie + 1n, tie === 0n ? 0n : tie - 1n)
    } else if (kind === 1 && from === 'Float32') {
      const biased = Math.max(
        0,
        Math.min(254, 127 - bias - format.fractionBits - 2 + random.int(2 * bias + format.fractionBits + 6))
      )
      inputs.push(BigInt(((random.int(2) << 31) | (biased << 23) | (random.uint32() & 0x7fffff)) >>> 0))
    } else if (kind === 1) {
      inputs.push(randomFloat64Bits(random, 1 - bias - format.fractionBits - 3, bias + 3))
    } else if (from === 'Float32') {
      inputs.push(BigInt(random.uint32()))
    } else {
      inputs.push((BigInt(random.uint32()) << 32n) | BigInt(random.uint32()))
    }
  }
  return inputs.slice(0, count)
}
