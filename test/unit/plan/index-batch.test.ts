import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openCheckpoint } from '../../../src-main/engine/formats/checkpoint-file'
import { scanCkptTable } from '../../../src-main/engine/formats/ckpt/ckpt-table-scan'
import { recordHeader } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { encodeCrcTrailer } from '../../../src-main/engine/formats/ckpt/crc-trailer'
import { isShardscopeError } from '../../../src-main/engine/errors'
import { TensorTable } from '../../../src-main/engine/formats/tensor-table'
import { BlockingReads } from '../../../src-main/engine/io/blocking-reads'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { LocalFileSource } from '../../../src-main/engine/io/local-file'
import { crc32Update } from '../../../src-main/engine/io/crc32'
import { BatchBuilder } from '../../../src-main/engine/plan/batch-builder'
import { indexBatch, type IndexedBatch } from '../../../src-main/engine/plan/index-batch'
import { FIXTURES } from '../../helpers/fixtures'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/** What a file holds, as `openCheckpoint` (the careful path) says and as the batch says. */
type Seen =
  | { error: { code?: string; message: string } }
  | { format: string; hasCrc: boolean; warnings: string[]; tensors: unknown[] }

async function carefully(path: string): Promise<Seen> {
  try {
    const c = await openCheckpoint(path)
    await c.close()
    const tensors = c.tensors.map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      byteLength: t.byteLength,
      chunks: t.chunks
    }))
    return { format: c.format, hasCrc: c.hasCrc, warnings: c.warnings, tensors }
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    return { error: { code: err.code, message: err.message } }
  }
}

function fromBatch(batch: IndexedBatch): Seen[] {
  return batch.files.map((file) => {
    if ('error' in file) return { error: file.error }
    const list = batch.lists[file.list]!
    const tensors = Array.from(list.names, (name, i) => {
      const chunks = []
      let byteLength = 0
      for (let c = list.chunkStart[i]!; c < list.chunkStart[i + 1]!; c++) {
        chunks.push({ offset: file.offsets[c]!, length: list.chunkLengths[c]! })
        byteLength += list.chunkLengths[c]!
      }
      const shape = Array.from(list.dims.subarray(list.shapeStart[i]!, list.shapeStart[i + 1]!))
      return { name: batch.names[name]!, dtype: list.dtypes[i]!, shape, byteLength, chunks }
    })
    return { format: file.format, hasCrc: file.hasCrc, warnings: file.warnings, tensors }
  })
}

async function expectSameAsCareful(paths: string[]) {
  const batch = await indexBatch({ files: paths.map((path, rank) => ({ rank, path })) })
  const careful = await Promise.all(paths.map(carefully))
  expect(fromBatch(batch)).toEqual(careful)
}

// Hand-made protobuf for the layouts MindSpore's writer does not produce but readers must accept.
function varint(value: number): number[] {
  const out: number[] = []
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value % 128) | 0x80)
  out.push(value)
  return out
}
const field = (key: number, bytes: number[] | Uint8Array) => [key, ...varint(bytes.length), ...bytes]
const text = (s: string) => [...Buffer.from(s, 'utf8')]
const dimFields = (dims: number[]) => dims.flatMap((d) => [0x08, ...varint(d)])
const record = (value: number[]) => field(0x0a, value)

const BYTES: Record<string, number> = { Float32: 4, Float16: 2, Int64: 8, str: 4, random_op: 1 }

type Part =
  | { kind: 'tensor'; name: string; dtype: string; dims: number[]; chunks: number; extra: number }
  | { kind: 'packed' | 'reordered' | 'map' | 'legacy-scalar' | 'model-type' | 'unknown-dtype'; name: string }

function encode(part: Part): Uint8Array {
  return part.kind === 'tensor' ? encodeTensor(part) : new Uint8Array(encodeOdd(part))
}

function encodeTensor(part: Extract<Part, { kind: 'tensor' }>): Uint8Array {
  const elements = part.dims.reduce((a, b) => a * b, 1)
  const dims = part.dtype === 'str' || part.dtype === 'random_op' ? [0] : part.dims
  const total = elements * BYTES[part.dtype]! + part.extra
  const out: Uint8Array[] = []
  // Chunks as MindSpore splits a large tensor: consecutive records, one tag, the payload in pieces.
  for (let c = 0, done = 0; c < part.chunks; c++) {
    const piece = c === part.chunks - 1 ? total - done : Math.floor(total / part.chunks)
    out.push(recordHeader(part.name, part.dtype, dims, piece), new Uint8Array(piece).fill(7))
    done += piece
  }
  return Buffer.concat(out)
}

function encodeOdd(part: Exclude<Part, { kind: 'tensor' }>): number[] {
  const content = field(0x1a, [1, 2, 3, 4, 5, 6, 7, 8])
  const dtype = field(0x12, text('Float32'))
  switch (part.kind) {
    case 'packed':
      return record([
        ...field(0x0a, text(part.name)),
        ...field(0x12, [...field(0x0a, [2]), ...dtype, ...content])
      ])
    case 'reordered':
      return record([
        ...field(0x0a, text(part.name)),
        ...field(0x12, [...dtype, ...dimFields([2]), ...content])
      ])
    case 'map': {
      const inner = field(0x0a, [...dimFields([2]), ...dtype, ...content])
      return record([...field(0x0a, text(part.name)), ...field(0x1a, inner)])
    }
    case 'legacy-scalar':
      return [...recordHeader(part.name, 'Float32', [0], 4), 0, 0, 128, 63]
    case 'model-type':
      return [0x10, 0x01]
    case 'unknown-dtype':
      return [...recordHeader(part.name, 'Float99', [2], 8), ...new Array<number>(8).fill(0)]
  }
}

// A few names, so that tags repeat, next to each other (chunks) and after other records.
const names = fc.constantFrom('w', 'adam_m.w', 'layer.0.b', 'scale', 'é\u00ff', 'x'.repeat(300))
const tensorPart = fc.record({
  kind: fc.constant('tensor' as const),
  name: names,
  dtype: fc.constantFrom('Float32', 'Float16', 'Int64', 'str', 'random_op'),
  dims: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
  chunks: fc.integer({ min: 1, max: 3 }),
  // Now and then a payload that its dims do not call for.
  extra: fc.oneof(
    { weight: 9, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }
  )
})
const oddPart = fc.record({
  kind: fc.constantFrom(
    'packed' as const,
    'reordered' as const,
    'map' as const,
    'legacy-scalar' as const,
    'model-type' as const,
    'unknown-dtype' as const
  ),
  name: names
})
const file = fc.record({
  parts: fc.array(fc.oneof({ weight: 6, arbitrary: tensorPart }, { weight: 1, arbitrary: oddPart }), {
    minLength: 1,
    maxLength: 12
  }),
  crc: fc.boolean(),
  cut: fc.oneof(
    { weight: 8, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) }
  )
})

function bytesOf(spec: { parts: Part[]; crc: boolean; cut: number }): Uint8Array {
  let bytes: Uint8Array = Buffer.concat(spec.parts.map(encode))
  if (spec.crc) bytes = Buffer.concat([bytes, encodeCrcTrailer(crc32Update(bytes))])
  return bytes.subarray(0, Math.max(0, bytes.length - spec.cut))
}

const BIG = 300 * 1024
const big = (name: string, chunks = 1): Part => ({
  kind: 'tensor',
  name,
  dtype: 'Float32',
  dims: [BIG / 4],
  chunks,
  extra: 0
})
// Large payloads (headers read alone), a tensor in chunks, small records between large ones, a long name.
const largeRecords: Part[] = [
  big('a'),
  big('c', 3),
  { kind: 'tensor', name: 'small', dtype: 'Int64', dims: [2], chunks: 1, extra: 0 },
  big('d'.repeat(3000)),
  { kind: 'tensor', name: 'tiny', dtype: 'Float16', dims: [], chunks: 1, extra: 0 },
  big('e')
]

describe('indexing a batch gives exactly what openCheckpoint gives, file by file', () => {
  it('on random files: chunks, repeated tags, map tensors, legacy scalars, CRC trailers, damage', async () => {
    const dir = tempDir()
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), async (specs) => {
        const paths = specs.map((spec) => {
          const path = join(dir, `f${n++}.ckpt`)
          writeFileSync(path, bytesOf(spec as { parts: Part[]; crc: boolean; cut: number }))
          return path
        })
        await expectSameAsCareful(paths)
      }),
      { numRuns: 150 }
    )
  })

  it('on identical rank files, which share one record list', async () => {
    const dir = tempDir()
    const parts: Part[] = [
      { kind: 'tensor', name: 'w', dtype: 'Float32', dims: [4, 2], chunks: 1, extra: 0 },
      { kind: 'tensor', name: 'adam_m.w', dtype: 'Float16', dims: [4, 2], chunks: 2, extra: 0 }
    ]
    const paths = [0, 1, 2, 3, 4, 5].map((rank) => {
      const path = join(dir, `rank${rank}.ckpt`)
      writeFileSync(path, bytesOf({ parts, crc: rank % 2 === 0, cut: 0 }))
      return path
    })
    const batch = await indexBatch({ files: paths.map((path, rank) => ({ rank, path })) })
    expect(batch.lists).toHaveLength(1)
    expect(batch.names).toEqual(['w', 'adam_m.w'])
    await expectSameAsCareful(paths)
  })

  it('on files of large records, whose headers are read alone', async () => {
    const dir = tempDir()
    const paths = [false, true].flatMap((crc) =>
      [largeRecords, [...largeRecords, big('b'.repeat(10_000))]].map((parts, i) => {
        const path = join(dir, `big-${crc}-${i}.ckpt`)
        writeFileSync(path, bytesOf({ parts, crc, cut: 0 }))
        return path
      })
    )
    const [seen] = fromBatch(await indexBatch({ files: [{ rank: 0, path: paths[0]! }] }))
    expect(seen).toMatchObject({
      tensors: largeRecords.map((p, i) => ({ name: p.name, byteLength: [BIG, BIG, 16, BIG, 2, BIG][i] }))
    })
    await expectSameAsCareful(paths)
  })

  it('on every MindSpore-written fixture, and on missing files', async () => {
    const paths = ckptFiles(FIXTURES)
    expect(paths.length).toBeGreaterThan(50)
    await expectSameAsCareful([...paths, join(FIXTURES, 'no-such-file.ckpt')])
  })
})

describe('blocking and overlapped header reads give identical batches', () => {
  const both = async (paths: string[]) => {
    const files = paths.map((path, rank) => ({ rank, path }))
    const blocking = await indexBatch({ files, reads: 'blocking' })
    const overlapped = await indexBatch({ files, reads: 'overlapped' })
    // Name ids follow the order files finish in (the careful path interleaves), so compare what they mean.
    expect(fromBatch(blocking)).toEqual(fromBatch(overlapped))
    expect(blocking.lists.length).toBe(overlapped.lists.length)
    return blocking
  }

  it('on random files, damaged ones included', async () => {
    const dir = tempDir()
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), async (specs) => {
        const paths = specs.map((spec) => {
          const path = join(dir, `r${n++}.ckpt`)
          writeFileSync(path, bytesOf(spec as { parts: Part[]; crc: boolean; cut: number }))
          return path
        })
        await both(paths)
      }),
      { numRuns: 60 }
    )
  })

  it('on large records, every fixture and a missing file', async () => {
    const dir = tempDir()
    const large = join(dir, 'large.ckpt')
    writeFileSync(large, bytesOf({ parts: largeRecords, crc: true, cut: 0 }))
    const batch = await both([large, ...ckptFiles(FIXTURES), join(FIXTURES, 'no-such-file.ckpt')])
    expect(batch.files[0]).toMatchObject({ hasCrc: true })
    expect(batch.files.at(-1)).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  // A blocking read that went wrong would only send a file the careful way: check the direct scan itself.
  it('the direct scan reads the same tables either way', async () => {
    const dir = tempDir()
    const large = join(dir, 'large.ckpt')
    writeFileSync(large, bytesOf({ parts: largeRecords, crc: true, cut: 0 }))
    let scanned = 0
    for (const path of [large, ...ckptFiles(FIXTURES)]) {
      const source = await LocalFileSource.open(path)
      try {
        const overlapped = new TensorTable()
        const blocking = new TensorTable()
        const a = await scanCkptTable(source, new BatchBuilder(), overlapped)
        const b = await scanCkptTable(new BlockingReads(source), new BatchBuilder(), blocking)
        expect(b === undefined).toBe(a === undefined)
        expect(blocking).toEqual(overlapped)
        if (a) scanned++
      } finally {
        await source.close()
      }
    }
    expect(scanned).toBeGreaterThan(20)
  })
})

describe('the direct scan takes MindSpore-written files and declines the rest', () => {
  const scan = (parts: Part[], crc = false) =>
    scanCkptTable(
      new MemorySource('f.ckpt', bytesOf({ parts, crc, cut: 0 })),
      new BatchBuilder(),
      new TensorTable()
    )
  const w = (name: string, chunks = 1, extra = 0): Part => ({
    kind: 'tensor',
    name,
    dtype: 'Float32',
    dims: [3],
    chunks,
    extra
  })

  it('takes usual records, chunks and a CRC trailer', async () => {
    expect(await scan([w('a'), w('b', 3)])).toBeDefined()
    expect((await scan([w('a')], true))?.crc).toBeDefined()
    expect(await scan(largeRecords)).toBeDefined()
  })

  it('declines other layouts and sizes that disagree (the careful path words them)', async () => {
    for (const kind of ['packed', 'reordered', 'map', 'model-type', 'unknown-dtype'] as const)
      expect(await scan([w('a'), { kind, name: 'b' }])).toBeUndefined()
    expect(await scan([w('a', 1, 1)])).toBeUndefined()
    expect(await scan([])).toBeUndefined()
  })
})

function ckptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return ckptFiles(path)
    return name.endsWith('.ckpt') && !name.includes('strategy') ? [path] : []
  })
}
