import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  allocateBuffers,
  assembleParam,
  type TensorCopier
} from '../../../src-main/engine/exec/assemble-param'
import { jsKernels } from '../../../src-main/engine/exec/kernels-select'
import { loadAddon } from '../../../src-main/engine/exec/native-addon'
import { CkptWriter } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { SafetensorsWriter } from '../../../src-main/engine/formats/safetensors/safetensors-writer'
import { AtomicFileSink, MemorySink } from '../../../src-main/engine/io/byte-sink'
import { createFastHasher } from '../../../src-main/engine/io/fast-hash'
import { LocalFileSource } from '../../../src-main/engine/io/local-file'
import type { ParamPlan } from '../../../src-main/engine/plan/plan-types'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const native = !('error' in loadAddon(['copyFileRange']))
// tmpfs next to an ext4 /tmp: copy_file_range refuses across file system types (EXDEV).
const shm = (() => {
  try {
    return mkdtempSync('/dev/shm/shardscope-copy-')
  } catch {
    return undefined
  }
})()
afterAll(() => {
  if (shm) rmSync(shm, { recursive: true, force: true })
})

function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff
  return bytes
}

/** A source file: 100 junk bytes, then payload part A, 50 junk bytes, payload part B. */
function sourceFile(dir: string, payload: Buffer, split: number): string {
  const path = join(dir, 'source.bin')
  writeFileSync(
    path,
    Buffer.concat([pattern(100, 9), payload.subarray(0, split), pattern(50, 8), payload.subarray(split)])
  )
  return path
}
const runsFor = (payload: Buffer, split: number) => [
  { offset: 100, length: split },
  { offset: 150 + split, length: payload.length - split }
]

describe('AtomicFileSink.copyFrom', () => {
  const cases: [string, () => string | undefined][] = [
    ['the same file system (in the kernel)', () => tempDir()],
    ['another file system type (kernel refuses: buffered copy)', () => shm]
  ]
  it.each(cases)(`appends the runs between ordinary writes, hashing every byte: %s`, async (_n, dir) => {
    const sourceDir = dir()
    if (!sourceDir) return
    const payload = pattern(3 * 1024 * 1024 + 123, 1)
    const source = await LocalFileSource.open(sourceFile(sourceDir, payload, 1_000_001))
    const out = join(tempDir(), 'out.bin')
    const sink = await AtomicFileSink.create(out, { hashes: ['xxh3_128', 'sha256'] })
    const seen: Buffer[] = []
    try {
      await sink.write(Buffer.from('head'))
      await sink.copyFrom(source.openFile, runsFor(payload, 1_000_001), (b) => void seen.push(Buffer.from(b)))
      expect(sink.position).toBe(4 + payload.length)
      await sink.write(Buffer.from('tail'))
      const result = await sink.commit()
      const expected = Buffer.concat([Buffer.from('head'), payload, Buffer.from('tail')])
      expect(readFileSync(out).equals(expected)).toBe(true)
      expect(Buffer.concat(seen).equals(payload)).toBe(true)
      expect(result.size).toBe(expected.length)
      expect(result.hashes.xxh3_128).toBe(createFastHasher().update(expected).digestHex())
      // Without the addon, or across file system types, the first copy went through the buffer.
      expect(sink.copiesInKernel).toBe(native && sourceDir !== shm)
    } finally {
      await sink.abort()
      await source.close()
    }
  })
})

describe('CkptWriter.copyData', () => {
  it('writes the same records and CRC as writeData', async () => {
    const payload = pattern(2 * 1024 * 1024 + 77, 2)
    const source = await LocalFileSource.open(sourceFile(tempDir(), payload, 777_777))
    const viaWrite = new MemorySink()
    const written = new CkptWriter(viaWrite, { crc: true, chunkBytes: 1 << 20 })
    await written.beginTensor('w', 'Float32', [payload.length / 1], payload.length)
    await written.writeData(payload)
    await written.writeTensor('step', 'Int32', [1], new Uint8Array(4))
    await written.finish()
    const out = join(tempDir(), 'copied.ckpt')
    const copied = new CkptWriter(await AtomicFileSink.create(out), { crc: true, chunkBytes: 1 << 20 })
    try {
      await copied.beginTensor('w', 'Float32', [payload.length / 1], payload.length)
      await copied.copyData(source.openFile, runsFor(payload, 777_777))
      await copied.writeTensor('step', 'Int32', [1], new Uint8Array(4))
      await copied.finish()
      expect(readFileSync(out).equals(Buffer.from(viaWrite.bytes()))).toBe(true)
    } finally {
      await source.close()
    }
  })
})

describe('SafetensorsWriter.copyTensorData', () => {
  it('writes the same file as writeTensorData, and refuses more bytes than the tensor holds', async () => {
    const payload = pattern(1024 * 1024, 7)
    const source = await LocalFileSource.open(sourceFile(tempDir(), payload, 333_333))
    const specs = [
      { name: 'a', dtype: 'Float32', shape: [payload.length / 4], byteLength: payload.length },
      { name: 'b', dtype: 'Int32', shape: [1], byteLength: 4 }
    ]
    const viaWrite = new MemorySink()
    const written = await SafetensorsWriter.create(viaWrite, specs)
    for (const name of written.order)
      await written.writeTensorData(name === 'a' ? payload : new Uint8Array(4))
    await written.finish()
    const out = join(tempDir(), 'copied.safetensors')
    const copied = await SafetensorsWriter.create(await AtomicFileSink.create(out), specs)
    try {
      for (const name of copied.order) {
        if (name !== 'a') await copied.writeTensorData(new Uint8Array(4))
        else {
          await expect(
            copied.copyTensorData(source.openFile, [{ offset: 0, length: payload.length + 200 }])
          ).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
          await copied.copyTensorData(source.openFile, runsFor(payload, 333_333))
        }
      }
      await copied.finish()
      expect(readFileSync(out).equals(Buffer.from(viaWrite.bytes()))).toBe(true)
    } finally {
      await source.close()
    }
  })
})

describe('assembling a tensor copied whole', () => {
  async function assemble(
    copier: TensorCopier | undefined,
    payload: Buffer,
    split: number,
    dtypes = ['Int32', 'Int32']
  ) {
    const source = await LocalFileSource.open(sourceFile(tempDir(), payload, split))
    const shape = [payload.length / 4 / 8, 8]
    const param: ParamPlan = {
      name: 'w',
      action: 'copy',
      dtype: dtypes[0]!,
      outDtype: dtypes[1]!,
      shape,
      fullShape: shape,
      offset: [0, 0],
      reads: [
        {
          source: 0,
          shape,
          chunks: runsFor(payload, split),
          from: [0, 0],
          to: [0, 0],
          extent: shape,
          runCount: 1,
          runBytes: payload.length
        }
      ]
    }
    const written: Buffer[] = []
    let progressed = 0
    try {
      await assembleParam(param, {
        sources: [source],
        kernels: jsKernels,
        buffers: allocateBuffers(),
        write: async (b) => void written.push(Buffer.from(b)),
        checkpoint: () => undefined,
        progress: (n) => void (progressed += n),
        ...(copier ? { copier } : {})
      })
    } finally {
      await source.close()
    }
    return { written: Buffer.concat(written), progressed }
  }

  it('hands the payload runs to the copier, in slabs, instead of reading them', async () => {
    const payload = pattern(40 * 1024 * 1024, 3)
    const copies: { offset: number; length: number }[][] = []
    const copier: TensorCopier = {
      usable: () => true,
      copy: async (_file, runs) => void copies.push([...runs])
    }
    const { written, progressed } = await assemble(copier, payload, 10_000_000)
    expect(written.length).toBe(0)
    expect(progressed).toBe(payload.length)
    expect(copies.map((runs) => runs.reduce((s, r) => s + r.length, 0))).toEqual([32 << 20, 8 << 20])
    expect(copies[0]).toEqual([
      { offset: 100, length: 10_000_000 },
      { offset: 10_000_150, length: (32 << 20) - 10_000_000 }
    ])
  })

  it('reads through slabs when the copier is not usable, or the tensor is cast or small', async () => {
    const never: TensorCopier = {
      usable: () => true,
      copy: async () => {
        throw new Error('copied')
      }
    }
    const refused: TensorCopier = { usable: () => false, copy: never.copy }
    const big = pattern(8 * 1024 * 1024, 4)
    expect((await assemble(refused, big, 5)).written.equals(big)).toBe(true)
    const small = pattern(64 * 1024, 5)
    expect((await assemble(never, small, 5)).written.equals(small)).toBe(true)
    const cast = await assemble(never, pattern(8 * 1024 * 1024, 6), 5, ['Float32', 'Float16'])
    expect(cast.written.length).toBe(4 * 1024 * 1024)
  })
})
