import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { indexCkpt } from '../../../src-main/engine/formats/ckpt/ckpt-index'
import { MINDSPORE_CHUNK_BYTES, recordHeader } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { withLocalFile } from '../../../src-main/engine/io/local-file'
import { tensorData } from '../../helpers/ckpt'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/**
 * Lays out a MindSpore-style checkpoint with a 5 GB tensor in 512 MiB records, writing only the record headers:
 * the payloads are holes of a sparse file, so the test needs no real disk space.
 */
function writeSparseCheckpoint(path: string, hugeElements: number): { tailOffset: number; size: number } {
  const fd = openSync(path, 'w')
  try {
    let pos = 0
    let remaining = hugeElements * 2
    while (remaining > 0) {
      const piece = Math.min(MINDSPORE_CHUNK_BYTES, remaining)
      const header = recordHeader('model.huge.weight', 'BFloat16', [hugeElements], piece)
      writeSync(fd, header, 0, header.length, pos)
      pos += header.length + piece
      remaining -= piece
    }
    const tail = Buffer.concat([
      recordHeader('global_step', 'Int64', [], 8),
      Buffer.from('2a00000000000000', 'hex')
    ])
    writeSync(fd, tail, 0, tail.length, pos)
    const size = pos + tail.length
    ftruncateSync(fd, size)
    return { tailOffset: pos, size }
  } finally {
    closeSync(fd)
  }
}

describe('indexing a checkpoint larger than 4 GiB', () => {
  it('finds every record with positional reads and memory that does not grow with the file', async () => {
    const path = join(tempDir(), 'huge.ckpt')
    const elements = 2_500_000_000 // 5 GB of BFloat16
    const { size } = writeSparseCheckpoint(path, elements)
    expect(size).toBeGreaterThan(4 * 1024 ** 3)

    global.gc?.()
    const before = process.memoryUsage()
    const { index, step } = await withLocalFile(path, async (source) => {
      const index = await indexCkpt(source)
      return { index, step: await tensorData(source, index.tensors[1]!) }
    })
    const after = process.memoryUsage()

    expect(index.size).toBe(size)
    const [huge, tail] = index.tensors
    expect([huge!.name, huge!.shape, huge!.byteLength, huge!.chunks.length]).toEqual([
      'model.huge.weight',
      [elements],
      elements * 2,
      10
    ])
    expect(huge!.chunks.every((c, i) => i === 9 || c.length === MINDSPORE_CHUNK_BYTES)).toBe(true)
    expect([tail!.name, tail!.shape, tail!.chunks[0]!.offset > 4 * 1024 ** 3]).toEqual([
      'global_step',
      [],
      true
    ])
    expect(Buffer.from(step).readBigInt64LE()).toBe(42n)
    // The index is a few hundred bytes; 32 MiB of slack covers the reader's window and GC noise.
    expect(after.rss - before.rss).toBeLessThan(32 * 1024 * 1024)
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(8 * 1024 * 1024)
  })
})
