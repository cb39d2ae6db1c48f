import { describe, expect, it } from 'vitest'
import {
  copyBoxJs,
  type CopyBoxArgs,
  type FloatDtype,
  type Kernels
} from '../../../src-main/engine/exec/kernels'
import { jsKernels, loadKernels, loadNativeKernels } from '../../../src-main/engine/exec/kernels-select'
import { describeBox, naiveCopyBox, randomBoxCase } from './box-reference'
import {
  BRAIN,
  DTYPES,
  ELEMENT_BYTES,
  HALF,
  asFloat32,
  asFloat64,
  castBits,
  decodeSmall,
  isQuietNaNWithSign,
  narrowingInputs,
  randomFloat64Bits,
  randomSource,
  readBits,
  roundSmallReference
} from './float-reference'

const nativeLoad = loadNativeKernels()
const native = 'kernels' in nativeLoad ? nativeLoad.kernels : undefined
const NATIVE_SKIP_NOTE = native ? '' : ' [skipped: native addon not built; run node scripts/build-native.mjs]'
const kernelSets: Kernels[] = [jsKernels, ...(native ? [native] : [])]

// [from, source bits, to, expected bits, why]; float16 rows were checked against NumPy 2.4 astype, bfloat16
// rows against exact rational rounding.
const REFERENCE: [FloatDtype, bigint, FloatDtype, bigint, string][] = [
  ['Float32', 0x3f808000n, 'BFloat16', 0x3f80n, 'tie rounds to even (down)'],
  ['Float32', 0x3f818000n, 'BFloat16', 0x3f82n, 'tie rounds to even (up)'],
  ['Float32', 0x3f808001n, 'BFloat16', 0x3f81n, 'just above a tie'],
  ['Float32', 0x3f807fffn, 'BFloat16', 0x3f80n, 'just below a tie'],
  ['Float32', 0x7f7f7fffn, 'BFloat16', 0x7f7fn, 'largest value that stays finite'],
  ['Float32', 0x7f7f8000n, 'BFloat16', 0x7f80n, 'tie above the largest normal overflows'],
  ['Float32', 0x7f7fffffn, 'BFloat16', 0x7f80n, 'float32 max overflows'],
  ['Float32', 0xff7f8000n, 'BFloat16', 0xff80n, 'negative overflow'],
  ['Float32', 0x00800000n, 'BFloat16', 0x0080n, 'smallest normal'],
  ['Float32', 0x007fffffn, 'BFloat16', 0x0080n, 'largest subnormal rounds up to the smallest normal'],
  ['Float32', 0x00408000n, 'BFloat16', 0x0040n, 'subnormal tie to even (down)'],
  ['Float32', 0x00418000n, 'BFloat16', 0x0042n, 'subnormal tie to even (up)'],
  ['Float32', 0x00000001n, 'BFloat16', 0x0000n, 'tiny subnormal flushes by rounding'],
  ['Float32', 0x80000000n, 'BFloat16', 0x8000n, '-0'],
  ['Float32', 0x7f800000n, 'BFloat16', 0x7f80n, '+inf'],
  ['Float32', 0xff800000n, 'BFloat16', 0xff80n, '-inf'],
  ['Float32', 0x7fc00000n, 'BFloat16', 0x7fc0n, 'quiet NaN'],
  ['Float32', 0xffc00000n, 'BFloat16', 0xffc0n, 'negative quiet NaN'],
  ['Float32', 0x7f800001n, 'BFloat16', 0x7fc0n, 'NaN with a low payload must not round to inf'],
  ['Float32', 0xff800001n, 'BFloat16', 0xffc0n, 'negative NaN with a low payload'],
  ['Float32', 0x7fffffffn, 'BFloat16', 0x7fffn, 'NaN with all payload bits must not wrap'],
  ['Float32', 0x3f800000n, 'Float16', 0x3c00n, '1'],
  ['Float32', 0x3f801000n, 'Float16', 0x3c00n, 'tie to even (down)'],
  ['Float32', 0x3f803000n, 'Float16', 0x3c02n, 'tie to even (up)'],
  ['Float32', 0x3f801001n, 'Float16', 0x3c01n, 'just above a tie'],
  ['Float32', 0x477fe000n, 'Float16', 0x7bffn, '65504, the largest normal'],
  ['Float32', 0x477fefffn, 'Float16', 0x7bffn, 'just below the overflow tie'],
  ['Float32', 0x477ff000n, 'Float16', 0x7c00n, '65520 ties to even: infinity'],
  ['Float32', 0xc77ff000n, 'Float16', 0xfc00n, '-65520'],
  ['Float32', 0x47800000n, 'Float16', 0x7c00n, '65536'],
  ['Float32', 0x38800000n, 'Float16', 0x0400n, '2^-14, the smallest normal'],
  ['Float32', 0x387fc000n, 'Float16', 0x03ffn, 'the largest subnormal'],
  ['Float32', 0x387fe000n, 'Float16', 0x0400n, 'subnormal tie rounds up into the normals'],
  ['Float32', 0x33800000n, 'Float16', 0x0001n, '2^-24, the smallest subnormal'],
  ['Float32', 0x33000000n, 'Float16', 0x0000n, '2^-25 ties to even: zero'],
  ['Float32', 0x33000001n, 'Float16', 0x0001n, 'just above 2^-25'],
  ['Float32', 0x33c00000n, 'Float16', 0x0002n, '3·2^-25 ties to even: 2'],
  ['Float32', 0x00000001n, 'Float16', 0x0000n, 'float32 subnormal'],
  ['Float32', 0x80000001n, 'Float16', 0x8000n, 'negative float32 subnormal keeps the sign'],
  ['Float32', 0x80000000n, 'Float16', 0x8000n, '-0'],
  ['Float32', 0xff800000n, 'Float16', 0xfc00n, '-inf'],
  ['Float32', 0x7fc00000n, 'Float16', 0x7e00n, 'quiet NaN'],
  ['Float32', 0xffc00000n, 'Float16', 0xfe00n, 'negative quiet NaN'],
  ['Float32', 0x7f800001n, 'Float16', 0x7e00n, 'NaN with a low payload stays NaN, quiet'],
  ['Float32', 0x7fffffffn, 'Float16', 0x7fffn, 'NaN keeps its top payload'],
  [
    'Float64',
    0x3ff0020000001000n,
    'Float16',
    0x3c01n,
    'one rounding from the double (through float32: 0x3c00)'
  ],
  ['Float64', 0x3ff0020000000000n, 'Float16', 0x3c00n, 'exact tie'],
  ['Float64', 0x3e60000000000080n, 'Float16', 0x0001n, 'subnormal above a tie (through float32: 0)'],
  ['Float64', 0x3e60000000000000n, 'Float16', 0x0000n, '2^-25 ties to even: zero'],
  ['Float64', 0x40effdffffffffffn, 'Float16', 0x7bffn, 'just below 65520'],
  ['Float64', 0x40effe0000000000n, 'Float16', 0x7c00n, '65520 overflows'],
  ['Float64', 0x7e37e43c8800759cn, 'Float16', 0x7c00n, '1e300'],
  ['Float64', 0x8000000000000001n, 'Float16', 0x8000n, 'negative double subnormal'],
  ['Float64', 0xfff8000000000000n, 'Float16', 0xfe00n, 'negative quiet NaN'],
  ['Float64', 0x7ff0000000000001n, 'Float16', 0x7e00n, 'NaN whose payload sits in the low word'],
  [
    'Float64',
    0x3ff0100000001000n,
    'BFloat16',
    0x3f81n,
    'one rounding from the double (through float32: 0x3f80)'
  ],
  ['Float64', 0x3ff0300000000000n, 'BFloat16', 0x3f82n, 'tie to even (up)'],
  ['Float64', 0x47efefffffffffffn, 'BFloat16', 0x7f7fn, 'stays finite (through float32: inf)'],
  ['Float64', 0x47eff00000000000n, 'BFloat16', 0x7f80n, 'overflow tie'],
  ['Float64', 0x3790000000010000n, 'BFloat16', 0x0001n, 'subnormal above a tie (through float32: 0)'],
  ['Float64', 0x7ff0000000000001n, 'BFloat16', 0x7fc0n, 'NaN with a low payload'],
  ['Float64', 0x3ff0000010000000n, 'Float32', 0x3f800000n, 'tie to even (down)'],
  ['Float64', 0x3ff0000030000000n, 'Float32', 0x3f800002n, 'tie to even (up)'],
  ['Float64', 0x47efffffefffffffn, 'Float32', 0x7f7fffffn, 'stays finite'],
  ['Float64', 0x47effffff0000000n, 'Float32', 0x7f800000n, 'overflow tie'],
  ['Float64', 0x3690000000000000n, 'Float32', 0x00000000n, '2^-150 ties to even: zero'],
  ['Float64', 0x3690000000000001n, 'Float32', 0x00000001n, 'just above 2^-150'],
  ['Float64', 0x36a8000000000000n, 'Float32', 0x00000002n, '3·2^-150 ties to even: 2'],
  ['Float64', 0x8000000000000000n, 'Float32', 0x80000000n, '-0'],
  ['Float64', 0x7ff0000000000001n, 'Float32', 0x7fc00000n, 'NaN with a low payload, quiet'],
  ['Float64', 0xfff8000000000000n, 'Float32', 0xffc00000n, 'negative quiet NaN'],
  ['Float16', 0x0001n, 'Float32', 0x33800000n, 'smallest subnormal'],
  ['Float16', 0x03ffn, 'Float32', 0x387fc000n, 'largest subnormal'],
  ['Float16', 0x8001n, 'Float32', 0xb3800000n, 'negative subnormal'],
  ['Float16', 0x7bffn, 'Float32', 0x477fe000n, 'largest normal'],
  ['Float16', 0xfc00n, 'Float32', 0xff800000n, '-inf'],
  ['Float16', 0x7e00n, 'Float32', 0x7fc00000n, 'quiet NaN'],
  ['Float16', 0x7c01n, 'Float32', 0x7fc02000n, 'signalling NaN comes out quiet, payload kept'],
  ['Float32', 0x00000001n, 'Float64', 0x36a0000000000000n, 'float32 subnormal is normal in float64'],
  ['Float32', 0x7f7fffffn, 'Float64', 0x47efffffe0000000n, 'float32 max'],
  ['Float32', 0xff800001n, 'Float64', 0xfff8000020000000n, 'NaN keeps sign and payload, quiet'],
  ['BFloat16', 0x3f81n, 'Float32', 0x3f810000n, 'widening is a shift'],
  ['BFloat16', 0x7f81n, 'Float32', 0x7fc10000n, 'signalling NaN comes out quiet'],
  ['BFloat16', 0x477fn, 'Float16', 0x7bf8n, '65280 fits'],
  ['BFloat16', 0x4780n, 'Float16', 0x7c00n, '65536 overflows'],
  ['BFloat16', 0x3380n, 'Float16', 0x0001n, '2^-24'],
  ['BFloat16', 0x3300n, 'Float16', 0x0000n, '2^-25 ties to even: zero'],
  ['BFloat16', 0x3340n, 'Float16', 0x0001n, '1.5·2^-25'],
  ['Float16', 0x3c04n, 'BFloat16', 0x3f80n, 'tie to even (down)'],
  ['Float16', 0x3c0cn, 'BFloat16', 0x3f82n, 'tie to even (up)'],
  ['Float16', 0x0001n, 'BFloat16', 0x3380n, 'float16 subnormal is normal in bfloat16'],
  ['Float16', 0x7bffn, 'BFloat16', 0x4780n, '65504 rounds up to 65536']
]

const hex = (bits: bigint) => `0x${bits.toString(16)}`

describe.each(kernelSets.map((k) => [k.name, k] as const))('castFloats (%s kernels)', (_, kernels) => {
  it('matches hand-checked bit patterns', () => {
    for (const byteOffset of [0, 1]) {
      for (const [from, bits, to, expected, why] of REFERENCE) {
        const [got] = castBits(kernels, from, [bits], to, byteOffset)
        expect(`${from} ${hex(bits)} → ${to} ${hex(got!)}`, why).toBe(
          `${from} ${hex(bits)} → ${to} ${hex(expected)}`
        )
      }
    }
  })

  it.each([
    ['Float16', HALF],
    ['BFloat16', BRAIN]
  ] as const)('widens every %s pattern exactly and narrows it back unchanged', (dtype, format) => {
    const all = Array.from({ length: 65536 }, (_, i) => BigInt(i))
    for (const wide of ['Float32', 'Float64'] as const) {
      const widened = castBits(kernels, dtype, all, wide)
      const back = castBits(kernels, wide, widened, dtype)
      const values = widened.map((bits) => (wide === 'Float32' ? asFloat32(bits) : asFloat64(bits)))
      for (let i = 0; i < 65536; i++) {
        const expected = decodeSmall(i, format)
        if (Number.isNaN(expected)) {
          expect(Number.isNaN(values[i]), `${dtype} ${hex(all[i]!)} widens to NaN`).toBe(true)
          expect(isQuietNaNWithSign(dtype, back[i]!, i >> 15), `${dtype} ${hex(all[i]!)} returns NaN`).toBe(
            true
          )
          continue
        }
        if (!Object.is(values[i], expected)) expect(`${dtype} ${i}→${wide}`).toBe(`value ${expected}`)
        if (back[i] !== all[i]) expect(`${dtype} ${hex(all[i]!)} round trip`).toBe(`got ${hex(back[i]!)}`)
      }
    }
  })

  it.each([
    ['Float32', 'Float16', HALF],
    ['Float32', 'BFloat16', BRAIN],
    ['Float64', 'Float16', HALF],
    ['Float64', 'BFloat16', BRAIN]
  ] as const)('rounds %s → %s like an exhaustive nearest-even search', (from, to, format) => {
    const random = randomSource(from === 'Float32' ? 11 : 12 + format.fractionBits)
    // More than one JS block (16384), from an odd offset, so staging and block seams are covered.
    const inputs = narrowingInputs(random, from, format, 40000)
    const got = castBits(kernels, from, inputs, to, 3)
    for (let i = 0; i < inputs.length; i++) {
      const value = from === 'Float32' ? asFloat32(inputs[i]!) : asFloat64(inputs[i]!)
      if (Number.isNaN(value)) {
        const sign = Number(inputs[i]! >> BigInt(ELEMENT_BYTES[from] * 8 - 1))
        if (!isQuietNaNWithSign(to, got[i]!, sign))
          expect(`${hex(inputs[i]!)} → ${hex(got[i]!)}`).toBe('a quiet NaN')
        continue
      }
      const expected = BigInt(roundSmallReference(value, format))
      if (got[i] !== expected)
        expect(`${from} ${hex(inputs[i]!)} → ${hex(got[i]!)}`).toBe(`→ ${hex(expected)}`)
    }
  })

  it('rounds Float64 → Float32 as ECMAScript does (Math.fround, ties to even)', () => {
    const random = randomSource(5)
    const inputs = Array.from({ length: 20000 }, () => randomFloat64Bits(random, -160, 130))
    const got = castBits(kernels, 'Float64', inputs, 'Float32', 5)
    inputs.forEach((bits, i) => {
      const expected = Math.fround(asFloat64(bits))
      if (Number.isNaN(expected)) return
      if (!Object.is(asFloat32(got[i]!), expected)) expect(hex(bits)).toBe(`→ ${expected}`)
    })
  })

  it('rejects unknown dtypes and counts beyond the buffers', () => {
    const bytes = new Uint8Array(8)
    expect(() => kernels.castFloats(bytes, 'Float8' as FloatDtype, bytes, 'Float32', 1)).toThrow(TypeError)
    expect(() => kernels.castFloats(bytes, 'Float32', bytes, 'Float16', 3)).toThrow(RangeError)
    expect(() => kernels.castFloats(bytes, 'Float16', bytes, 'Float64', 2)).toThrow(RangeError)
    expect(() => kernels.castFloats(bytes, 'Float16', bytes, 'Float32', -1)).toThrow(RangeError)
    expect(() => kernels.castFloats(bytes, 'Float16', bytes, 'Float32', 1.5)).toThrow(RangeError)
  })
})

describe('copyBoxJs', () => {
  it('matches an element-by-element copy on random boxes', () => {
    const random = randomSource(2024)
    for (let trial = 0; trial < 600; trial++) {
      const args = randomBoxCase(random)
      const expected = args.dst.slice()
      naiveCopyBox({ ...args, dst: expected })
      copyBoxJs(args)
      expect(Buffer.from(args.dst).equals(Buffer.from(expected)), describeBox(args, trial)).toBe(true)
    }
  })
})

describe('loadKernels', () => {
  it('chooses the native kernels exactly when the addon loads (unless SHARDSCOPE_KERNELS=js)', () => {
    const expected = process.env.SHARDSCOPE_KERNELS === 'js' || !native ? 'js' : 'native'
    expect(loadKernels().name).toBe(expected)
    expect(loadKernels()).toBe(loadKernels())
  })
})

describe.skipIf(!native)(`native kernels agree with the JavaScript ones${NATIVE_SKIP_NOTE}`, () => {
  it('copyBox: random boxes, element sizes 1/2/4/8, offset bases', () => {
    const random = randomSource(77)
    for (let trial = 0; trial < 600; trial++) {
      const args = randomBoxCase(random)
      const viaJs = args.dst.slice()
      copyBoxJs({ ...args, dst: viaJs })
      native!.copyBox(args)
      expect(Buffer.from(args.dst).equals(Buffer.from(viaJs)), describeBox(args, trial)).toBe(true)
    }
  })

  it('castFloats: every dtype pair on random bit patterns, aligned and not', () => {
    const random = randomSource(99)
    for (const from of DTYPES) {
      for (const to of DTYPES) {
        for (const byteOffset of [0, 1, 2]) {
          const count = 20000 + random.int(100)
          const src = new Uint8Array(byteOffset + count * ELEMENT_BYTES[from]).subarray(byteOffset)
          src.forEach((_, i) => (src[i] = random.int(256)))
          const outputs = [jsKernels, native!].map((kernels) => {
            const dst = new Uint8Array(byteOffset + count * ELEMENT_BYTES[to]).subarray(byteOffset)
            kernels.castFloats(src, from, dst, to, count)
            return readBits(to, dst)
          })
          const mismatch = outputs[0]!.findIndex((bits, i) => bits !== outputs[1]![i])
          expect(mismatch, `${from} → ${to} at offset ${byteOffset}`).toBe(-1)
        }
      }
    }
  })

  describe('argument validation throws instead of touching memory', () => {
    const valid = (): CopyBoxArgs => ({
      src: new Uint8Array(64),
      srcShape: [4, 4],
      srcBase: 0,
      srcStart: [1, 1],
      dst: new Uint8Array(16),
      dstShape: [2, 2],
      dstBase: 0,
      dstStart: [0, 0],
      extent: [2, 2],
      elementBytes: 4
    })
    const bad: [string, Partial<Record<keyof CopyBoxArgs, unknown>>, new () => Error][] = [
      ['box leaves srcShape', { srcStart: [3, 1] }, RangeError],
      ['box leaves dstShape', { dstStart: [1, 0] }, RangeError],
      ['src shorter than the box', { src: new Uint8Array(40) }, RangeError],
      ['dst shorter than the box', { dst: new Uint8Array(15) }, RangeError],
      ['srcBase past the box start', { srcBase: 6 }, RangeError],
      ['dstBase past the box start', { dstBase: 1 }, RangeError],
      ['rank mismatch', { dstShape: [4] }, RangeError],
      ['negative extent', { extent: [-1, 2] }, RangeError],
      ['fractional start', { srcStart: [0.5, 1] }, RangeError],
      ['zero elementBytes', { elementBytes: 0 }, RangeError],
      ['shape past 2^53 elements', { srcShape: [2 ** 30, 2 ** 30] }, RangeError],
      ['string extent', { extent: ['2', 2] }, TypeError],
      ['src is a Float32Array', { src: new Float32Array(16) }, TypeError],
      ['dst is a plain array', { dst: [0, 0] }, TypeError],
      ['shape is not an array', { srcShape: 16 }, TypeError]
    ]
    it.each(bad)('%s', (_, change, errorType) => {
      const args = { ...valid(), ...change } as CopyBoxArgs
      expect(() => native!.copyBox(args)).toThrow(errorType)
    })

    it('rejects a missing argument object and a non-byte cast source', () => {
      const copyBox = native!.copyBox as (args?: unknown) => void
      expect(() => copyBox()).toThrow(TypeError)
      const castFloats = native!.castFloats as (...args: unknown[]) => void
      expect(() => castFloats(new Float32Array(2), 'Float32', new Uint8Array(4), 'Float16', 2)).toThrow(
        TypeError
      )
      expect(() => castFloats(new Uint8Array(8), 'Float32', new Uint8Array(4))).toThrow(TypeError)
    })

    it('still copies correctly after all that', () => {
      const args = valid()
      args.src.forEach((_, i) => (args.src[i] = i))
      native!.copyBox(args)
      expect([...args.dst]).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 36, 37, 38, 39, 40, 41, 42, 43])
    })
  })
})
