import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateBuffers, assembleParam } from '../../../src-main/engine/exec/assemble-param'
import { jsKernels } from '../../../src-main/engine/exec/kernels-select'
import { ShardscopeError } from '../../../src-main/engine/errors'
import type { ByteRun } from '../../../src-main/engine/formats/tensor-entry'
import { loadBoxReader, type BoxReadMode } from '../../../src-main/engine/io/box-read'
import { LocalFileSource } from '../../../src-main/engine/io/local-file'
import type { ParamPlan, TensorRead } from '../../../src-main/engine/plan/plan-types'
import { naiveCopyBox } from '../exec/box-reference'
import { randomSource, type RandomSource } from '../exec/float-reference'

const load = loadBoxReader()
const reader = 'error' in load ? undefined : load
const SKIP_NOTE = reader ? '' : ' [skipped: native addon not built; run node scripts/build-native.mjs]'
const MODES: BoxReadMode[] = ['auto', 'pread', 'cover', 'map']

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shardscope-box-read-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A tensor payload stored as `.ckpt`-like records: after a header, in 1-4 chunks with junk between them. */
async function storedTensor(random: RandomSource, path: string, payload: Uint8Array) {
  const parts: Uint8Array[] = [randomBytes(random, random.int(5000))]
  const chunks: ByteRun[] = []
  let at = parts[0]!.length
  let done = 0
  const pieces = 1 + random.int(4)
  for (let k = 0; k < pieces; k++) {
    const length = k === pieces - 1 ? payload.length - done : random.int(payload.length - done + 1)
    if (length > 0) {
      chunks.push({ offset: at, length })
      parts.push(payload.subarray(done, done + length))
      at += length
      done += length
    }
    const junk = randomBytes(random, random.int(3000))
    parts.push(junk)
    at += junk.length
  }
  await writeFile(path, Buffer.concat(parts))
  return chunks
}

function randomBytes(random: RandomSource, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = random.int(256)
  return bytes
}

/** Shapes whose runs are sometimes long, sometimes a few bytes far apart (the mapped gather's case). */
function randomShape(random: RandomSource): number[] {
  const ndim = 1 + random.int(4)
  return Array.from({ length: ndim }, (_, i) =>
    i === ndim - 1 && random.int(2) === 0 ? 200 + random.int(3000) : 1 + random.int(7)
  )
}

describe('native box reads', () => {
  it(`place every byte exactly as an element-by-element copy does, in every mode${SKIP_NOTE}`, async () => {
    if (!reader) return
    const random = randomSource(0x5eed)
    for (let trial = 0; trial < 120; trial++) {
      const e = random.pick([1, 2, 4, 8])
      const srcShape = randomShape(random)
      const extent = srcShape.map((n) => 1 + random.int(n))
      const srcStart = srcShape.map((n, i) => random.int(n - extent[i]! + 1))
      const payload = randomBytes(random, srcShape.reduce((a, b) => a * b, 1) * e)
      const path = join(dir, `t${trial}.bin`)
      const chunks = await storedTensor(random, path, payload)
      const dstShape = extent.map((n) => n + random.int(3))
      const dstStart = dstShape.map((n, i) => random.int(n - extent[i]! + 1))
      const dstBytes = dstShape.reduce((a, b) => a * b, 1) * e
      const expected = new Uint8Array(dstBytes).fill(0xa5)
      naiveCopyBox({
        src: payload,
        srcShape,
        srcBase: 0,
        srcStart,
        dst: expected,
        dstShape,
        dstBase: 0,
        dstStart,
        extent,
        elementBytes: e
      })
      const source = await LocalFileSource.open(path)
      try {
        for (const mode of MODES) {
          const dst = new Uint8Array(dstBytes).fill(0xa5)
          const stats = await reader.readBox(source, {
            chunks,
            srcShape,
            srcStart,
            dst,
            dstShape,
            dstBase: 0,
            dstStart,
            extent,
            elementBytes: e,
            mode
          })
          const where = `trial ${trial} mode ${mode}: ${JSON.stringify({ srcShape, srcStart, extent, e, chunks })}`
          expect(Buffer.compare(dst, expected), where).toBe(0)
          expect(stats.bytes, where).toBe(extent.reduce((a, b) => a * b, 1) * e)
          if (mode === 'map') expect(stats.coverBytes, where).toBe(0)
          if (mode === 'pread') expect(stats.coverBytes + stats.mappedBytes, where).toBe(0)
        }
      } finally {
        await source.close()
      }
    }
  })

  it(`gather short, far-apart runs without reading the gaps between them${SKIP_NOTE}`, async () => {
    if (!reader) return
    // 256 rows of 4096 float32; the box takes 8 elements (32 bytes) of every row: 32 KiB useful in 4 MiB.
    const srcShape = [256, 4096]
    const payload = randomBytes(randomSource(7), 256 * 4096 * 4)
    const path = join(dir, 'sparse.bin')
    await writeFile(path, payload)
    const source = await LocalFileSource.open(path)
    try {
      const dst = new Uint8Array(256 * 8 * 4)
      const stats = await reader.readBox(source, {
        chunks: [{ offset: 0, length: payload.length }],
        srcShape,
        srcStart: [0, 100],
        dst,
        dstShape: [256, 8],
        dstBase: 0,
        dstStart: [0, 0],
        extent: [256, 8],
        elementBytes: 4
      })
      expect(stats.coverBytes).toBe(0)
      expect(stats.mappedBytes).toBeGreaterThan(0)
      expect(Buffer.from(dst.subarray(32, 64))).toEqual(
        Buffer.from(payload.subarray(16384 + 400, 16384 + 432))
      )
    } finally {
      await source.close()
    }
  })

  it(`read runs longer than the covering window straight into place when forced to cover${SKIP_NOTE}`, async () => {
    if (!reader) return
    const payload = randomBytes(randomSource(11), 3 << 20)
    const path = join(dir, 'long.bin')
    await writeFile(path, Buffer.concat([new Uint8Array(100), payload]))
    const source = await LocalFileSource.open(path)
    try {
      for (const mode of MODES) {
        const dst = new Uint8Array(payload.length)
        await reader.readBox(source, {
          chunks: [{ offset: 100, length: payload.length }],
          srcShape: [3, 1 << 20],
          srcStart: [0, 0],
          dst,
          dstShape: [3, 1 << 20],
          dstBase: 0,
          dstStart: [0, 0],
          extent: [3, 1 << 20],
          elementBytes: 1,
          mode
        })
        expect(Buffer.compare(dst, payload), mode).toBe(0)
      }
    } finally {
      await source.close()
    }
  })

  it(`report a file truncated after it was opened as TRUNCATED, mapped or read, and the process lives${SKIP_NOTE}`, async () => {
    if (!reader) return
    for (const mode of ['map', 'pread', 'cover'] as const) {
      const path = join(dir, `cut-${mode}.bin`)
      await writeFile(path, new Uint8Array(1 << 20).fill(3))
      const source = await LocalFileSource.open(path)
      try {
        await truncate(path, 4096)
        const read = reader.readBox(source, {
          chunks: [{ offset: 0, length: 1 << 20 }],
          srcShape: [256, 1024],
          srcStart: [0, 0],
          dst: new Uint8Array(256 * 4),
          dstShape: [256, 4],
          dstBase: 0,
          dstStart: [0, 0],
          extent: [256, 4],
          elementBytes: 1,
          mode
        })
        await expect(read, mode).rejects.toBeInstanceOf(ShardscopeError)
        await expect(read, mode).rejects.toMatchObject({ code: 'TRUNCATED', file: path })
      } finally {
        await source.close()
      }
    }
  })

  it(`refuse a box that does not fit the destination before reading anything${SKIP_NOTE}`, async () => {
    if (!reader) return
    const path = join(dir, 'small.bin')
    await writeFile(path, new Uint8Array(64))
    const handle = await open(path, 'r')
    try {
      const file = { fd: handle.fd, name: path, size: 64 }
      await expect(
        reader.readBox(file, {
          chunks: [{ offset: 0, length: 64 }],
          srcShape: [64],
          srcStart: [0],
          dst: new Uint8Array(8),
          dstShape: [64],
          dstBase: 0,
          dstStart: [0],
          extent: [64],
          elementBytes: 1
        })
      ).rejects.toThrow(/dst holds 8 bytes but the box needs 64/)
    } finally {
      await handle.close()
    }
  })
})

describe('assembling a tensor', () => {
  it(`gives the same bytes through the native reads as through the JavaScript covering reads${SKIP_NOTE}`, async () => {
    const random = randomSource(0xa55e)
    for (let trial = 0; trial < 40; trial++) {
      const e = random.pick([1, 2, 4])
      const shape = randomShape(random)
      // The destination is split along one axis into regions, each from its own source file holding more.
      const axis = random.int(shape.length)
      const cuts = [0, ...new Set(Array.from({ length: random.int(3) }, () => random.int(shape[axis]!)))]
        .filter((c) => c > 0)
        .sort((a, b) => a - b)
      const bounds = [0, ...cuts, shape[axis]!]
      const reads: TensorRead[] = []
      const sources: LocalFileSource[] = []
      const expected = new Uint8Array(shape.reduce((a, b) => a * b, 1) * e)
      for (let k = 0; k + 1 < bounds.length; k++) {
        const extent = [...shape]
        extent[axis] = bounds[k + 1]! - bounds[k]!
        const to = shape.map((_, i) => (i === axis ? bounds[k]! : 0))
        const srcShape = extent.map((n) => n + random.int(3))
        const from = srcShape.map((n, i) => random.int(n - extent[i]! + 1))
        const payload = randomBytes(random, srcShape.reduce((a, b) => a * b, 1) * e)
        const path = join(dir, `a${trial}-${k}.bin`)
        const chunks = await storedTensor(random, path, payload)
        sources.push(await LocalFileSource.open(path))
        reads.push({ source: k, shape: srcShape, chunks, from, to, extent, runCount: 0, runBytes: 0 })
        naiveCopyBox({
          src: payload,
          srcShape,
          srcBase: 0,
          srcStart: from,
          dst: expected,
          dstShape: shape,
          dstBase: 0,
          dstStart: to,
          extent,
          elementBytes: e
        })
      }
      const dtype = { 1: 'UInt8', 2: 'Int16', 4: 'Int32' }[e]!
      const param: ParamPlan = {
        name: `p${trial}`,
        action: 'reshard',
        dtype,
        outDtype: dtype,
        shape,
        fullShape: shape,
        offset: shape.map(() => 0),
        reads
      }
      const assemble = async (withNative: boolean) => {
        const parts: Buffer[] = []
        await assembleParam(param, {
          sources,
          kernels: jsKernels,
          buffers: allocateBuffers(),
          write: async (bytes) => void parts.push(Buffer.from(bytes)),
          checkpoint: () => undefined,
          progress: () => undefined,
          ...(withNative && reader ? { boxReader: reader } : {})
        })
        return Buffer.concat(parts)
      }
      try {
        const where = `trial ${trial}: ${JSON.stringify({ shape, axis, bounds, e })}`
        expect(Buffer.compare(await assemble(false), expected), where).toBe(0)
        if (reader) expect(Buffer.compare(await assemble(true), expected), where).toBe(0)
      } finally {
        await Promise.all(sources.map((s) => s.close()))
      }
    }
  })

  it('has no native reader when SHARDSCOPE_KERNELS=js asks for JavaScript only', async () => {
    const { vi } = await import('vitest')
    vi.resetModules()
    const before = process.env.SHARDSCOPE_KERNELS
    process.env.SHARDSCOPE_KERNELS = 'js'
    try {
      const fresh = await import('../../../src-main/engine/io/box-read')
      expect(fresh.loadBoxReader()).toEqual({ error: 'SHARDSCOPE_KERNELS=js' })
    } finally {
      if (before === undefined) delete process.env.SHARDSCOPE_KERNELS
      else process.env.SHARDSCOPE_KERNELS = before
    }
  })
})
