import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isShardscopeError, type ErrorCode } from '../../../src-main/engine/errors'
import {
  computeSafetensorsCrc,
  verifySafetensorsCrc
} from '../../../src-main/engine/formats/safetensors/safetensors-crc'
import {
  indexSafetensors,
  isSafetensorsHeader
} from '../../../src-main/engine/formats/safetensors/safetensors-index'
import {
  planSafetensorsLayout,
  SafetensorsWriter,
  type SafetensorsTensorSpec,
  type SafetensorsWriterOptions
} from '../../../src-main/engine/formats/safetensors/safetensors-writer'
import { readTensorBytes } from '../../../src-main/engine/formats/tensor-entry'
import { AtomicFileSink, MemorySink } from '../../../src-main/engine/io/byte-sink'
import { MemorySource, type ByteSource } from '../../../src-main/engine/io/byte-source'
import { crc32Update } from '../../../src-main/engine/io/crc32'
import { withLocalFile } from '../../../src-main/engine/io/local-file'
import { useTempDirs } from '../../helpers/temp-dir'

const FILE = 'model.safetensors'
const text = new TextEncoder()
const ascii = (s: string) => text.encode(s)

/** Deterministic, tensor-specific bytes, so a tensor read from the wrong place cannot match. */
function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff
  return out
}

interface TensorWithData extends SafetensorsTensorSpec {
  data: Uint8Array
}

function tensor(name: string, dtype: string, shape: number[], elementBytes: number, seed = name.length) {
  const byteLength = shape.reduce((n, d) => n * d, 1) * elementBytes
  return { name, dtype, shape, byteLength, data: patternBytes(byteLength, seed) }
}

/** Writes through the real writer, streaming each tensor in two pieces to exercise partial writes. */
async function writeToMemory(
  tensors: TensorWithData[],
  options?: SafetensorsWriterOptions
): Promise<Uint8Array> {
  const sink = new MemorySink(FILE)
  const writer = await SafetensorsWriter.create(sink, tensors, options)
  for (const name of writer.order) {
    const { data } = tensors.find((t) => t.name === name)!
    const half = Math.floor(data.length / 2)
    await writer.writeTensorData(data.subarray(0, half))
    await writer.writeTensorData(data.subarray(half))
  }
  await writer.finish()
  return sink.bytes()
}

/** A file from a header text and a data region, the way a hand-made or damaged file would look. */
function rawFile(header: string, dataLength: number, declaredLength?: number): Uint8Array {
  const json = ascii(header)
  const out = new Uint8Array(8 + json.length + dataLength)
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true)
  out.set(json, 8)
  return out
}

function headerOf(bytes: Uint8Array): string {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))
  return new TextDecoder().decode(bytes.subarray(8, 8 + length))
}

const index = (bytes: Uint8Array) => indexSafetensors(new MemorySource(FILE, bytes))

async function expectError(
  promise: Promise<unknown>,
  code: ErrorCode,
  param?: string,
  ...fragments: string[]
): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!isShardscopeError(err)) throw new Error(`expected a ShardscopeError ${code}, got ${String(err)}`)
  expect(err.code).toBe(code)
  expect(err.message).toContain(FILE)
  expect(err.file).toBe(FILE)
  if (param !== undefined) {
    expect(err.param).toBe(param)
    expect(err.message).toContain(param)
  }
  for (const fragment of fragments) expect(err.message).toContain(fragment)
}

describe('safetensors round trip', () => {
  const tempDir = useTempDirs()

  it('writes, indexes and reads back every dtype MindSpore can store, including BF16, Int4 and scalars', async () => {
    const tensors = [
      tensor('flags', 'Bool', [5], 1),
      tensor('i8', 'Int8', [3, 2], 1),
      tensor('u8', 'UInt8', [7], 1),
      tensor('i16', 'Int16', [2, 3], 2),
      tensor('u16', 'UInt16', [3], 2),
      tensor('i32', 'Int32', [4], 4),
      tensor('u32', 'UInt32', [1, 1], 4),
      tensor('global_step', 'Int64', [], 8),
      tensor('u64', 'UInt64', [2], 8),
      tensor('layer.w_f16', 'Float16', [2, 2], 2),
      tensor('layer.w_bf16', 'BFloat16', [3, 5], 2),
      tensor('layer.w', 'Float32', [4, 3], 4),
      tensor('learning_rate', 'Float32', [], 4),
      tensor('momentum', 'Float64', [], 8),
      tensor('f64', 'Float64', [2, 1, 2], 8),
      tensor('quant.weight', 'Int4', [4, 3], 1),
      tensor('empty', 'Float32', [0, 4], 4)
    ]
    const path = join(tempDir(), FILE)
    const sink = await AtomicFileSink.create(path)
    const writer = await SafetensorsWriter.create(sink, tensors)
    for (const name of writer.order)
      await writer.writeTensor(name, tensors.find((t) => t.name === name)!.data)
    const result = await writer.finish()
    expect(result.size).toBe(writer.layout.fileSize)

    await withLocalFile(path, async (source) => {
      const i = await indexSafetensors(source)
      expect(i.size).toBe(result.size)
      expect(i.tensors.map((t) => t.name)).toEqual(writer.order)
      expect(i.metadata).toEqual({ format: 'ms', 'quant.weight': 'Int4' })
      for (const t of tensors) {
        const found = i.tensors.find((x) => x.name === t.name)!
        expect([found.dtype, found.shape, found.byteLength]).toEqual([t.dtype, t.shape, t.byteLength])
        expect(found.chunks).toHaveLength(1)
        const back = new Uint8Array(t.byteLength)
        await readTensorBytes(source, found, 0, t.byteLength, back)
        expect(back).toEqual(t.data)
      }
      const stored = Object.fromEntries(i.tensors.map((t) => [t.name, t.storedDtype]))
      expect(stored).toMatchObject({
        'layer.w_bf16': 'BF16',
        'quant.weight': 'I8',
        flags: 'BOOL',
        u64: 'U64'
      })
    })
  })

  it('writes the exact bytes of a small example: dtype order, metadata first and sorted, space padding', async () => {
    const tensors = [
      tensor('a.w', 'Float32', [2], 4),
      tensor('c', 'Int64', [], 8),
      tensor('b', 'BFloat16', [3], 2),
      tensor('q', 'Int4', [2], 1)
    ]
    const bytes = await writeToMemory(tensors, {
      metadata: { remove_redundancy: 'False', crc_num: '999' },
      crcNum: 123
    })
    const json =
      '{"__metadata__":{"crc_num":"123","format":"ms","q":"Int4","remove_redundancy":"False"},' +
      '"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]},' +
      '"a.w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
      '"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},' +
      '"q":{"dtype":"I8","shape":[2],"data_offsets":[22,24]}}'
    // 305 bytes of JSON, padded with 7 spaces to 312 = 39 × 8.
    expect(json.length).toBe(305)
    expect(Array.from(bytes.subarray(0, 8))).toEqual([56, 1, 0, 0, 0, 0, 0, 0])
    expect(headerOf(bytes)).toBe(json + '       ')
    const data = bytes.subarray(8 + 312)
    expect(data).toEqual(
      Buffer.concat([tensors[1]!.data, tensors[0]!.data, tensors[2]!.data, tensors[3]!.data])
    )
  })

  it('orders tensors of one element size the way the Hugging Face dtype enum does, not by name', () => {
    const layout = planSafetensorsLayout([
      tensor('a', 'Int32', [1], 4),
      tensor('b', 'Float32', [1], 4),
      tensor('c', 'UInt32', [1], 4),
      tensor('x', 'UInt8', [1], 1),
      tensor('y', 'Bool', [1], 1),
      tensor('z', 'Int8', [1], 1),
      tensor('h', 'Float16', [1], 2),
      tensor('g', 'BFloat16', [1], 2),
      tensor('f', 'Int16', [1], 2),
      tensor('e', 'UInt16', [1], 2),
      tensor('m', 'Float64', [1], 8),
      tensor('l', 'Int64', [1], 8),
      tensor('k', 'UInt64', [1], 8)
    ])
    expect(layout.tensors.map((t) => t.name)).toEqual([
      'k',
      'l',
      'm',
      'b',
      'c',
      'a',
      'g',
      'h',
      'e',
      'f',
      'z',
      'x',
      'y'
    ])
  })

  it('breaks name ties by UTF-8 bytes, as Rust does, not by UTF-16 code units', () => {
    // U+FF5E sorts before U+1F600 in UTF-8, but after its surrogate pair in JavaScript's default order.
    const names = planSafetensorsLayout([
      tensor('\u{1F600}', 'Float32', [1], 4),
      tensor('\uFF5E', 'Float32', [1], 4)
    ]).tensors.map((t) => t.name)
    expect(names).toEqual(['\uFF5E', '\u{1F600}'])
  })

  it('writes an empty file with only the format marker', async () => {
    const bytes = await writeToMemory([])
    expect(headerOf(bytes)).toBe('{"__metadata__":{"format":"ms"}}')
    const i = await index(bytes)
    expect([i.tensors, i.metadata]).toEqual([[], { format: 'ms' }])
  })

  it('lets the caller override format, and drops Int4 markers for tensors that are not Int4', async () => {
    const bytes = await writeToMemory([tensor('w', 'Int8', [2], 1)], {
      metadata: { format: 'pt', w: 'Int4', note: 'kept' }
    })
    expect(headerOf(bytes)).toMatch(/^\{"__metadata__":\{"format":"pt","note":"kept"\},"w":/)
    expect((await index(bytes)).tensors[0]!.dtype).toBe('Int8')
  })

  it('keeps the header order of integer-like tensor names that JSON.parse would reorder', async () => {
    const tensors = [
      tensor('10', 'Float32', [1], 4),
      tensor('2', 'Float32', [2], 4),
      tensor('a', 'Float32', [], 4)
    ]
    const bytes = await writeToMemory(tensors)
    expect(Object.keys(JSON.parse(headerOf(bytes)) as object)).toEqual(['2', '10', '__metadata__', 'a'])
    const i = await index(bytes)
    expect(i.tensors.map((t) => [t.name, t.chunks[0]!.offset - (i.size - 16)])).toEqual([
      ['10', 0],
      ['2', 4],
      ['a', 12]
    ])
  })

  it('reads a hand-made header with metadata last, escaped names and nested look-alike keys', async () => {
    const header =
      '{"0":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":{"1":[",\\"{"]}},' +
      ' "we\\"ird,{name}":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},' +
      '"__metadata__":{"1":"not a tensor"}}'
    const i = await index(rawFile(header, 3))
    expect(i.tensors.map((t) => t.name)).toEqual(['0', 'we"ird,{name}'])
    expect(i.metadata).toEqual({ 1: 'not a tensor' })
  })
})

describe('indexSafetensors enforces MindSpore reader rules', () => {
  const entry = (dtype: string, shape: number[], start: number, end: number) =>
    JSON.stringify({ dtype, shape, data_offsets: [start, end] })

  it('rejects an empty file', async () => {
    await expectError(index(new Uint8Array(0)), 'EMPTY_FILE')
  })

  it('rejects a file shorter than the length prefix', async () => {
    await expectError(index(new Uint8Array(5)), 'TRUNCATED', undefined, '5 bytes')
  })

  it('rejects a header length over 100,000,000 bytes', async () => {
    await expectError(index(rawFile('{}', 0, 100_000_001)), 'CORRUPT', undefined, '100000001')
  })

  it('rejects a header that runs past the end of the file', async () => {
    await expectError(index(rawFile('{}', 0, 40)), 'TRUNCATED', undefined, '40')
  })

  it('rejects headers that are not UTF-8, not JSON, or not an object', async () => {
    const notUtf8 = rawFile('{}', 0)
    notUtf8[9] = 0xff
    await expectError(index(notUtf8), 'CORRUPT', undefined, 'UTF-8')
    await expectError(index(rawFile('{"a":', 0)), 'CORRUPT', undefined, 'JSON')
    await expectError(index(rawFile('[1,2]', 0)), 'CORRUPT', undefined, 'object')
  })

  it('rejects a first tensor that does not start at data offset 0', async () => {
    await expectError(index(rawFile(`{"w":${entry('U8', [2], 1, 3)}}`, 3)), 'CORRUPT', 'w', 'start at 0')
  })

  it('rejects a gap between tensors', async () => {
    const header = `{"a":${entry('U8', [2], 0, 2)},"b":${entry('U8', [2], 3, 5)}}`
    await expectError(index(rawFile(header, 5)), 'CORRUPT', 'b', 'tensor a ends at 2')
  })

  it('rejects overlapping tensors', async () => {
    const header = `{"a":${entry('U8', [2], 0, 2)},"b":${entry('U8', [2], 1, 3)}}`
    await expectError(index(rawFile(header, 3)), 'CORRUPT', 'b', 'back to back')
  })

  it('checks contiguity in header order, not offset order', async () => {
    const header = `{"b":${entry('U8', [2], 2, 4)},"a":${entry('U8', [2], 0, 2)}}`
    await expectError(index(rawFile(header, 4)), 'CORRUPT', 'b')
  })

  it('rejects a span that disagrees with shape × dtype size', async () => {
    await expectError(
      index(rawFile(`{"w":${entry('F32', [2, 3], 0, 20)}}`, 20)),
      'SIZE_MISMATCH',
      'w',
      '20 bytes',
      '24'
    )
  })

  it('rejects trailing bytes after the last tensor', async () => {
    await expectError(index(rawFile(`{"w":${entry('U8', [2], 0, 2)}}`, 3)), 'CORRUPT', 'w', '1 unexpected')
    await expectError(index(rawFile('{}', 1)), 'CORRUPT', undefined, 'no tensors')
  })

  it('rejects a data region that ends before the tensors do, naming the first tensor cut off', async () => {
    const header = `{"a":${entry('U8', [2], 0, 2)},"b":${entry('U8', [4], 2, 6)},"c":${entry('U8', [1], 6, 7)}}`
    await expectError(index(rawFile(header, 4)), 'TRUNCATED', 'b')
  })

  it('rejects dtypes MindSpore cannot read', async () => {
    await expectError(
      index(rawFile(`{"w":${entry('F8_E4M3', [2], 0, 2)}}`, 2)),
      'UNKNOWN_DTYPE',
      'w',
      'F8_E4M3'
    )
  })

  it('rejects malformed entries, duplicate names and non-string metadata', async () => {
    await expectError(index(rawFile(`{"w":${entry('U8', [-1], 0, 0)}}`, 0)), 'CORRUPT', 'w', 'shape')
    await expectError(index(rawFile('{"w":{"dtype":"U8","shape":[1]}}', 1)), 'CORRUPT', 'w', 'data_offsets')
    await expectError(index(rawFile('{"w":[1]}', 0)), 'CORRUPT', 'w')
    const duplicate = `{"w":${entry('U8', [1], 0, 1)},"w":${entry('U8', [1], 1, 2)}}`
    await expectError(index(rawFile(duplicate, 2)), 'CORRUPT', 'w', 'twice')
    await expectError(index(rawFile('{"__metadata__":{"n":1}}', 0)), 'CORRUPT', undefined, '"n"')
  })

  it('rejects an Int4 marker on a tensor not stored as I8', async () => {
    const header = `{"__metadata__":{"w":"Int4"},"w":${entry('F32', [1], 0, 4)}}`
    await expectError(index(rawFile(header, 4)), 'CORRUPT', 'w', 'Int4')
  })
})

describe('isSafetensorsHeader', () => {
  it('accepts the start of a real file and rejects look-alikes', async () => {
    const bytes = await writeToMemory([tensor('w', 'Float32', [2], 4)])
    expect(isSafetensorsHeader(bytes.subarray(0, 16), bytes.length)).toBe(true)
    expect(isSafetensorsHeader(bytes.subarray(0, 16), 20)).toBe(false)
    expect(isSafetensorsHeader(rawFile(' {}', 0).subarray(0, 11), 11)).toBe(false)
    expect(isSafetensorsHeader(rawFile('{}', 0, 200_000_000), 300_000_000)).toBe(false)
    // The start of a .ckpt record: 0a <len> 0a <tag len> ...
    expect(
      isSafetensorsHeader(Uint8Array.from([0x0a, 0xa2, 0x02, 0x0a, 0x0d, 0x67, 0x61, 0x74, 0x69]), 293)
    ).toBe(false)
    expect(isSafetensorsHeader(bytes.subarray(0, 8), bytes.length)).toBe(false)
  })
})

describe('SafetensorsWriter refuses what it cannot write faithfully', () => {
  const create = (specs: SafetensorsTensorSpec[]) => SafetensorsWriter.create(new MemorySink(FILE), specs)

  it('refuses dtypes safetensors cannot hold, naming the tensor', async () => {
    for (const dtype of ['str', 'Complex64', 'Complex128', 'Float8E4M3FN', 'HiFloat8', 'random_op']) {
      await expectError(
        create([{ name: 'extra', dtype, shape: [1], byteLength: 16 }]),
        'UNSUPPORTED',
        'extra',
        dtype
      )
    }
    await expectError(
      create([{ name: 'w', dtype: 'Float7', shape: [], byteLength: 1 }]),
      'UNKNOWN_DTYPE',
      'w'
    )
  })

  it('refuses a byte length that disagrees with the shape, duplicate names and reserved names', async () => {
    await expectError(
      create([{ name: 'w', dtype: 'Float32', shape: [3], byteLength: 8 }]),
      'SIZE_MISMATCH',
      'w'
    )
    const w = { name: 'w', dtype: 'UInt8', shape: [1], byteLength: 1 }
    await expectError(create([w, w]), 'BAD_INPUT', 'w', 'twice')
    await expectError(create([{ ...w, name: '__metadata__' }]), 'BAD_INPUT', '__metadata__')
  })

  it('refuses more or fewer bytes than announced, and bytes out of order', async () => {
    const specs = [tensor('a', 'Float32', [2], 4), tensor('b', 'Float32', [1], 4)]
    const tooMany = await create(specs)
    await expectError(tooMany.writeTensorData(new Uint8Array(9)), 'SIZE_MISMATCH', 'a', '9 bytes')

    const tooFew = await create(specs)
    await tooFew.writeTensorData(new Uint8Array(8))
    await tooFew.writeTensorData(new Uint8Array(3))
    await expectError(tooFew.finish(), 'SIZE_MISMATCH', 'b', '3 of its 4 bytes')

    const wrongOrder = await create(specs)
    await expectError(wrongOrder.writeTensor('b', new Uint8Array(4)), 'BAD_INPUT', 'b', 'a is due next')
    await expectError(wrongOrder.writeTensor('a', new Uint8Array(4)), 'SIZE_MISMATCH', 'a', '8 bytes')

    const done = await create([tensor('a', 'UInt8', [1], 1)])
    await done.writeTensorData(new Uint8Array(1))
    await expectError(done.writeTensorData(new Uint8Array(1)), 'SIZE_MISMATCH', undefined, 'every tensor')
  })

  it('refuses a crc_num that is not a CRC-32', async () => {
    await expect(
      SafetensorsWriter.create(new MemorySink(FILE), [], { crcNum: 2 ** 32 })
    ).rejects.toMatchObject({
      code: 'BAD_INPUT'
    })
  })
})

describe('safetensors CRC', () => {
  // Names and bytes chosen so that, taken in sorted-name order, they spell "123456789", whose CRC-32 is the
  // standard check value 0xCBF43926. The writer stores them as 5 (I16), 1, 8 (U8): header order is not name order.
  const crcTensors = () => [
    { name: '1', dtype: 'UInt8', shape: [3], byteLength: 3, data: ascii('234') },
    { name: '5', dtype: 'Int16', shape: [1], byteLength: 2, data: ascii('67') },
    { name: '8', dtype: 'UInt8', shape: [1], byteLength: 1, data: ascii('9') }
  ]
  const CHECK_VALUE = 0xcbf43926

  it('chains name and data bytes in sorted-name order', async () => {
    const bytes = await writeToMemory(crcTensors())
    const source = new MemorySource(FILE, bytes)
    const i = await indexSafetensors(source)
    expect(i.tensors.map((t) => t.name)).toEqual(['5', '1', '8'])
    expect(await computeSafetensorsCrc(source, i)).toBe(CHECK_VALUE)
  })

  it('verifies a matching crc_num, rejects a wrong one, and reports a missing one', async () => {
    const good = await writeToMemory(crcTensors(), { crcNum: CHECK_VALUE })
    const goodSource = new MemorySource(FILE, good)
    const goodIndex = await indexSafetensors(goodSource)
    expect(goodIndex.metadata.crc_num).toBe('3421780262')
    expect(await verifySafetensorsCrc(goodSource, goodIndex)).toEqual({ checked: true, crc: CHECK_VALUE })

    const stale = await writeToMemory(crcTensors(), { crcNum: 123 })
    const staleSource = new MemorySource(FILE, stale)
    await expectError(
      verifySafetensorsCrc(staleSource, await indexSafetensors(staleSource)),
      'CRC_MISMATCH',
      undefined,
      '123'
    )

    const plain = await writeToMemory(crcTensors(), { metadata: { crc_num: String(CHECK_VALUE) } })
    const plainSource = new MemorySource(FILE, plain)
    expect(await verifySafetensorsCrc(plainSource, await indexSafetensors(plainSource))).toEqual({
      checked: false
    })
  })

  it('reads large tensors in bounded pieces', async () => {
    const big = tensor('big', 'UInt8', [9 * 1024 * 1024 + 5], 1, 3)
    const bytes = await writeToMemory([big])
    const reads: number[] = []
    const inner = new MemorySource(FILE, bytes)
    const counting: ByteSource = {
      name: FILE,
      size: inner.size,
      readInto: (target, offset, length, position) => {
        reads.push(length)
        return inner.readInto(target, offset, length, position)
      },
      close: () => inner.close()
    }
    const i = await indexSafetensors(counting)
    reads.length = 0
    expect(await computeSafetensorsCrc(counting, i)).toBe(crc32Update(big.data, crc32Update(ascii('big'))))
    expect(reads.length).toBeGreaterThan(2)
    expect(Math.max(...reads)).toBeLessThanOrEqual(4 * 1024 * 1024)
  })
})
