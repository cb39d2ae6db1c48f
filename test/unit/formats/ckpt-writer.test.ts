import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CkptWriter, dimsForShape, recordHeader } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { indexCkpt } from '../../../src-main/engine/formats/ckpt/ckpt-index'
import {
  encodeCrcTrailer,
  findCrcTrailer,
  verifyCrcTrailer
} from '../../../src-main/engine/formats/ckpt/crc-trailer'
import { AtomicFileSink, MemorySink } from '../../../src-main/engine/io/byte-sink'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { crc32Update } from '../../../src-main/engine/io/crc32'
import { withLocalFile } from '../../../src-main/engine/io/local-file'
import { filesUnder, readAllTensors, tensorData } from '../../helpers/ckpt'
import { ORACLE, REAL, real } from '../../helpers/fixtures'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/** Rewrites every record of a file through our writer, in the file's order. */
async function rewrite(
  path: string,
  options: ConstructorParameters<typeof CkptWriter>[1] = {}
): Promise<Uint8Array> {
  const sink = new MemorySink()
  const writer = new CkptWriter(sink, options)
  for (const t of await readAllTensors(path)) await writer.writeTensor(t.name, t.storedDtype, t.dims, t.data)
  await writer.finish()
  return sink.bytes()
}

describe('CkptWriter writes what MindSpore writes', () => {
  const checkpoints = [
    ...filesUnder(ORACLE, '.ckpt').filter((f) => !f.includes('strategy')),
    ...filesUnder(REAL, '.ckpt').filter((f) => !f.includes('strategy'))
  ]

  it.each(checkpoints.map((f) => [f.slice(f.indexOf('fixtures/') + 9), f]))(
    'reproduces %s byte for byte from its records',
    async (_name, path) => {
      expect(Buffer.from(await rewrite(path)).equals(readFileSync(path))).toBe(true)
    }
  )

  it('encodes the golden router header exactly as Appendix B shows', () => {
    const header = recordHeader('gating.weight', 'Float32', [4, 16], 256)
    expect(Buffer.from(header).toString('hex')).toBe(
      '0aa2020a0d676174696e672e776569676874129002080408101207466c6f617433321a8002'
    )
  })

  it('writes 2.3+ scalars without dims and text with dims [0]', () => {
    expect(dimsForShape([], 'Float32')).toEqual([])
    expect(dimsForShape([5], 'str')).toEqual([0])
    expect(dimsForShape([2, 3], 'Int64')).toEqual([2, 3])
  })
})

describe('CRC-32 trailer (spec §1.9)', () => {
  it('matches the test vector of the golden router file', () => {
    const bytes = readFileSync(real('mindformers__golden_router.ckpt'))
    expect(crc32Update(bytes)).toBe(3606591323)
    expect(Buffer.from(encodeCrcTrailer(3606591323)).toString('hex')).toBe(
      '6372635f6e756d000000000000d6f8375b'
    )
  })

  it('round-trips with a trailer, and the reader strips and verifies it', async () => {
    const original = readFileSync(real('mindformers__golden_router.ckpt'))
    const withCrc = await rewrite(real('mindformers__golden_router.ckpt'), { crc: true })
    expect(Buffer.from(withCrc.subarray(0, original.length)).equals(original)).toBe(true)
    expect(Buffer.from(withCrc.subarray(original.length)).toString('hex')).toBe(
      '6372635f6e756d000000000000d6f8375b'
    )
    const source = new MemorySource('router-crc.ckpt', withCrc)
    const index = await indexCkpt(source, { verifyCrc: true })
    expect(index.crc).toEqual({ stored: 3606591323, coveredBytes: original.length })
    expect(index.tensors.map((t) => [t.name, t.byteLength])).toEqual([['gating.weight', 256]])
  })

  it('reports a damaged file whose trailer no longer matches', async () => {
    const withCrc = await rewrite(real('mindformers__golden_router.ckpt'), { crc: true })
    withCrc[100] = withCrc[100]! ^ 0xff
    const source = new MemorySource('damaged.ckpt', withCrc)
    await expect(indexCkpt(source, { verifyCrc: true })).rejects.toMatchObject({
      code: 'CRC_MISMATCH',
      message: expect.stringContaining('damaged.ckpt failed its CRC-32 check')
    })
    const trailer = await findCrcTrailer(source)
    await expect(verifyCrcTrailer(source, trailer!)).rejects.toMatchObject({ code: 'CRC_MISMATCH' })
  })
})

describe('chunked tensors (spec §1.5)', () => {
  it('cuts payloads at the chunk size and the reader joins them', async () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251)
    const sink = new MemorySink()
    const writer = new CkptWriter(sink, { chunkBytes: 300, crc: true })
    await writer.beginTensor('big', 'Float32', [250], 1000)
    // Feed it in pieces that do not line up with chunks.
    for (let i = 0; i < 1000; i += 128) await writer.writeData(payload.subarray(i, Math.min(i + 128, 1000)))
    await writer.writeTensor('step', 'Int64', [], new Uint8Array(8).fill(1))
    await writer.writeTensor('empty', 'Float16', [0, 4], new Uint8Array(0))
    await writer.finish()
    const source = new MemorySource('chunked.ckpt', sink.bytes())
    const index = await indexCkpt(source, { verifyCrc: true })
    expect(index.tensors.map((t) => [t.name, t.shape, t.chunks.length, t.byteLength])).toEqual([
      ['big', [250], 4, 1000],
      ['step', [], 1, 8],
      ['empty', [0, 4], 1, 0]
    ])
    expect(Buffer.from(await tensorData(source, index.tensors[0]!)).equals(Buffer.from(payload))).toBe(true)
    // Every chunk record repeats the full dims (08 fa 01 = 250), as MindSpore's do.
    const bytes = Buffer.from(sink.bytes())
    for (const chunk of index.tensors[0]!.chunks) {
      const header = bytes.subarray(chunk.offset - 24, chunk.offset)
      expect(header.includes(Buffer.from('08fa0112', 'hex'))).toBe(true)
    }
  })

  it('refuses to finish a tensor that is missing bytes, and leaves no file behind', async () => {
    const dir = tempDir()
    const path = join(dir, 'out.ckpt')
    const writer = new CkptWriter(await AtomicFileSink.create(path))
    await writer.beginTensor('w', 'Float32', [4], 16)
    await writer.writeData(new Uint8Array(8))
    await expect(writer.finish()).rejects.toMatchObject({ code: 'BAD_INPUT', param: 'w' })
    await writer.abort()
    expect(() => readFileSync(path)).toThrow()
    expect(() => readFileSync(path + '.tmp')).toThrow()
  })

  it('writes a file that only appears complete after finish', async () => {
    const dir = tempDir()
    const path = join(dir, 'rank_0', 'checkpoint_0.ckpt')
    const writer = new CkptWriter(await AtomicFileSink.create(path))
    await writer.writeTensor('w', 'BFloat16', [2], new Uint8Array([0x80, 0x3f, 0x00, 0x40]))
    expect(() => readFileSync(path)).toThrow()
    const result = await writer.finish()
    expect(result.size).toBe(readFileSync(path).length)
    const index = await withLocalFile(path, (s) => indexCkpt(s))
    expect(index.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([['w', 'BFloat16', [2]]])
  })
})
