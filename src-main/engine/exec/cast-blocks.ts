import type { FloatDtype } from './kernels'

/**
 * Converts `count` elements between two blocks whose byte offsets are aligned to their element size and whose
 * bytes are in host order, so typed-array views can address them directly.
 */
export type BlockCast = (src: Uint8Array, dst: Uint8Array, count: number) => void

interface NarrowFormat {
  fractionBits: number
  exponentBits: number
}

const HALF: NarrowFormat = { fractionBits: 10, exponentBits: 5 }
const BRAIN: NarrowFormat = { fractionBits: 7, exponentBits: 8 }

/** Adding then subtracting 2^52 makes the FPU round a non-negative double below 2^52 to an integer, ties to even. */
const ROUND_TO_INTEGER = 2 ** 52

const u16 = (b: Uint8Array, n: number) => new Uint16Array(b.buffer, b.byteOffset, n)
const u32 = (b: Uint8Array, n: number) => new Uint32Array(b.buffer, b.byteOffset, n)
const f32 = (b: Uint8Array, n: number) => new Float32Array(b.buffer, b.byteOffset, n)
const f64 = (b: Uint8Array, n: number) => new Float64Array(b.buffer, b.byteOffset, n)

/** Math.pow is not guaranteed exact in every engine; doubling is. */
function powerOfTwo(exponent: number): number {
  let value = 1
  for (let i = 0; i < exponent; i++) value *= 2
  for (let i = 0; i > exponent; i--) value /= 2
  return value
}

/**
 * Per source exponent, what rounding to `target` needs: the power of two that turns the magnitude into a count
 * of target units in the last place, and the bits of the target's exponent that count sits on. Below the
 * target's smallest normal exponent the unit stays fixed, which is what produces subnormals; above its largest
 * the scale is 0 and the base is infinity.
 */
function roundingTable(sourceExponentBits: number, target: NarrowFormat) {
  const sourceBias = 2 ** (sourceExponentBits - 1) - 1
  const targetBias = 2 ** (target.exponentBits - 1) - 1
  const minExponent = 1 - targetBias
  const unitsPerBinade = 2 ** target.fractionBits
  const infinity = (2 ** target.exponentBits - 1) * unitsPerBinade
  const size = 2 ** sourceExponentBits
  const scale = new Float64Array(size)
  const base = new Uint32Array(size).fill(infinity)
  for (let biased = 0; biased < size - 1; biased++) {
    const exponent = Math.max(biased, 1) - sourceBias
    if (exponent > targetBias) continue
    const clamped = Math.max(exponent, minExponent)
    scale[biased] = powerOfTwo(target.fractionBits - clamped)
    base[biased] = (clamped - minExponent) * unitsPerBinade
  }
  return { scale, base, infinity, quietNaN: infinity | (unitsPerBinade >>> 1) }
}

/** Float32 → float16, rounding the exact float value once. */
function float32ToFloat16Cast(): BlockCast {
  const { scale, base, infinity, quietNaN } = roundingTable(8, HALF)
  return (src, dst, count) => {
    const bits = u32(src, count)
    const values = f32(src, count)
    const out = u16(dst, count)
    for (let i = 0; i < count; i++) {
      const word = bits[i]!
      const magnitude = word & 0x7fffffff
      const sign = (word >>> 16) & 0x8000
      if (magnitude >= 0x38800000 && magnitude < 0x477ff000) {
        // Normal in float16 too: rebias the exponent and round 13 fraction bits away, ties to even.
        const rebiased = magnitude - 0x38000000
        out[i] = sign | ((rebiased + 0xfff + ((rebiased >>> 13) & 1)) >>> 13)
      } else if (magnitude >= 0x7f800000) {
        out[i] = sign | (magnitude === 0x7f800000 ? infinity : quietNaN | ((word >>> 13) & 0x3ff))
      } else {
        // Subnormal, zero, or overflowing: the table holds the unit and the infinity.
        const biased = magnitude >>> 23
        out[i] =
          sign + base[biased]! + (Math.abs(values[i]!) * scale[biased]! + ROUND_TO_INTEGER - ROUND_TO_INTEGER)
      }
    }
  }
}

/** Float64 → 16-bit float straight from the double, so no intermediate float32 rounding can shift a tie. */
function narrowFloat64(target: NarrowFormat): BlockCast {
  const { scale, base, infinity, quietNaN } = roundingTable(11, target)
  const payloadShift = 20 - target.fractionBits
  const payloadMask = 2 ** target.fractionBits - 1
  return (src, dst, count) => {
    const words = u32(src, count * 2)
    const values = f64(src, count)
    const out = u16(dst, count)
    for (let i = 0; i < count; i++) {
      const high = words[2 * i + 1]!
      const biased = (high >>> 20) & 0x7ff
      const sign = (high >>> 16) & 0x8000
      if (biased === 0x7ff) {
        const hasPayload = (high & 0xfffff) !== 0 || words[2 * i]! !== 0
        out[i] = sign | (hasPayload ? quietNaN | ((high >>> payloadShift) & payloadMask) : infinity)
        continue
      }
      out[i] =
        sign + base[biased]! + (Math.abs(values[i]!) * scale[biased]! + ROUND_TO_INTEGER - ROUND_TO_INTEGER)
    }
  }
}

/** bfloat16 shares float32's exponent, so rounding is integer arithmetic on the upper half. */
const float32ToBFloat16: BlockCast = (src, dst, count) => {
  const bits = u32(src, count)
  const out = u16(dst, count)
  for (let i = 0; i < count; i++) {
    const word = bits[i]!
    // A NaN with a small payload would round to infinity; keep it NaN, quiet, with its sign and top payload.
    if ((word & 0x7fffffff) > 0x7f800000) out[i] = ((word >>> 16) & 0xff80) | 0x40 | ((word >>> 16) & 0x7f)
    else out[i] = (word + 0x7fff + ((word >>> 16) & 1)) >>> 16
  }
}

const bFloat16ToFloat32: BlockCast = (src, dst, count) => {
  const halves = u16(src, count)
  const out = u32(dst, count)
  for (let i = 0; i < count; i++) {
    const half = halves[i]!
    // Sets the quiet bit exactly when the pattern is a NaN (magnitude above 0x7f80), without a branch.
    out[i] = (half << 16) | (((0x7f80 - (half & 0x7fff)) >>> 31) << 22)
  }
}

let float16Table: Uint32Array | undefined

/** float32 bits of every float16 pattern: 256 KiB that turn float16 → float32 into one lookup. */
function float16ToFloat32Table(): Uint32Array {
  if (float16Table) return float16Table
  const table = new Uint32Array(65536)
  const scratch = new Float32Array(1)
  const scratchBits = new Uint32Array(scratch.buffer)
  for (let half = 0; half < 65536; half++) {
    const sign = (half & 0x8000) << 16
    const biased = (half >>> 10) & 0x1f
    const fraction = half & 0x3ff
    let magnitude: number
    if (biased === 0x1f) magnitude = fraction === 0 ? 0x7f800000 : 0x7fc00000 | (fraction << 13)
    else if (biased === 0) {
      scratch[0] = fraction * 2 ** -24
      magnitude = scratchBits[0]!
    } else magnitude = ((biased + 112) << 23) | (fraction << 13)
    table[half] = (sign | magnitude) >>> 0
  }
  float16Table = table
  return table
}

const float16ToFloat32: BlockCast = (src, dst, count) => {
  const table = float16ToFloat32Table()
  const halves = u16(src, count)
  const out = u32(dst, count)
  for (let i = 0; i < count; i++) out[i] = table[halves[i]!]!
}

const float32ToFloat64: BlockCast = (src, dst, count) => {
  const values = f32(src, count)
  const words = u32(src, count)
  const out = f64(dst, count)
  const outWords = u32(dst, count * 2)
  for (let i = 0; i < count; i++) {
    const value = values[i]!
    if (value === value) {
      out[i] = value
      continue
    }
    // The engine may canonicalise a NaN it holds as a number, so build the bits: sign, quiet bit, payload.
    const word = words[i]!
    outWords[2 * i + 1] = (word & 0x80000000) | 0x7ff80000 | ((word & 0x7fffff) >>> 3)
    outWords[2 * i] = (word & 7) << 29
  }
}

const float64ToFloat32: BlockCast = (src, dst, count) => {
  const values = f64(src, count)
  const words = u32(src, count * 2)
  const out = f32(dst, count)
  const outWords = u32(dst, count)
  for (let i = 0; i < count; i++) {
    const value = values[i]!
    if (value === value) {
      out[i] = value // ECMAScript rounds to float32 ties-to-even, with subnormals and overflow to infinity
      continue
    }
    const high = words[2 * i + 1]!
    outWords[i] = (high & 0x80000000) | 0x7fc00000 | ((high & 0xfffff) << 3) | (words[2 * i]! >>> 29)
  }
}

let chainScratch = new Uint8Array(0)

/** float16 and bfloat16 are both exact in float32, so going through it rounds only once. */
function throughFloat32(first: BlockCast, second: BlockCast): BlockCast {
  return (src, dst, count) => {
    if (chainScratch.byteLength < count * 4) chainScratch = new Uint8Array(count * 4)
    first(src, chainScratch, count)
    second(chainScratch, dst, count)
  }
}

const float32ToHalf = float32ToFloat16Cast()
const float64ToHalf = narrowFloat64(HALF)
const float64ToBFloat16 = narrowFloat64(BRAIN)

const CASTS: Partial<Record<`${FloatDtype}>${FloatDtype}`, BlockCast>> = {
  'Float16>Float32': float16ToFloat32,
  'Float16>BFloat16': throughFloat32(float16ToFloat32, float32ToBFloat16),
  'Float16>Float64': throughFloat32(float16ToFloat32, float32ToFloat64),
  'BFloat16>Float32': bFloat16ToFloat32,
  'BFloat16>Float16': throughFloat32(bFloat16ToFloat32, float32ToHalf),
  'BFloat16>Float64': throughFloat32(bFloat16ToFloat32, float32ToFloat64),
  'Float32>Float16': float32ToHalf,
  'Float32>BFloat16': float32ToBFloat16,
  'Float32>Float64': float32ToFloat64,
  'Float64>Float16': float64ToHalf,
  'Float64>BFloat16': float64ToBFloat16,
  'Float64>Float32': float64ToFloat32
}

/** The conversion between two different dtypes. */
export function blockCastFor(from: FloatDtype, to: FloatDtype): BlockCast {
  const cast = CASTS[`${from}>${to}`]
  if (!cast) throw new TypeError(`castFloats: no conversion from ${from} to ${to}`)
  return cast
}
