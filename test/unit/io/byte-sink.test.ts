import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { dirname } from 'node:path'
import {
  AtomicFileSink,
  parseTempName,
  publishSealed,
  tempPathFor
} from '../../../src-main/engine/io/byte-sink'
import { createFastHasher } from '../../../src-main/engine/io/fast-hash'
import { ioError } from '../../../src-main/engine/io/io-error'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
afterEach(() => vi.restoreAllMocks())

async function fileHandlePrototype() {
  const handle = await open(__filename, 'r')
  const prototype = Object.getPrototypeOf(handle) as { sync(): Promise<void> }
  await handle.close()
  return prototype
}

describe('AtomicFileSink', () => {
  it('with publishLater, commit seals the file under its temporary name; publishSealed gives it the final name', async () => {
    const path = join(tempDir(), 'out', 'file.bin')
    const sink = await AtomicFileSink.create(path, { tag: 'run2', publishLater: true })
    await sink.write(Buffer.from('sealed'))
    const result = await sink.commit()
    expect(result.path).toBe(tempPathFor(path, 'run2'))
    expect(readdirSync(dirname(path))).toEqual(['file.bin.shardscope-run2.tmp'])
    await publishSealed(result.path, path)
    expect(readdirSync(dirname(path))).toEqual(['file.bin'])
    expect(readFileSync(path, 'utf8')).toBe('sealed')
  })

  it('writes <name>.shardscope-<tag>.tmp, renames on commit, and reports size and the hashes asked for of small and large writes', async () => {
    const path = join(tempDir(), 'out', 'file.bin')
    const sink = await AtomicFileSink.create(path, { tag: 'run1', hashes: ['xxh3_128', 'sha256'] })
    const small = Buffer.from('header')
    const large = Buffer.alloc(5 * 1024 * 1024, 7)
    await sink.write(small)
    await sink.write(large)
    expect(existsSync(path)).toBe(false)
    expect(existsSync(tempPathFor(path, 'run1'))).toBe(true)
    expect(parseTempName(tempPathFor(path, 'run1'))).toEqual({ final: 'file.bin', tag: 'run1' })
    const result = await sink.commit()
    const content = Buffer.concat([small, large])
    expect(readFileSync(path).equals(content)).toBe(true)
    expect(readdirSync(dirname(path))).toEqual(['file.bin'])
    expect(result).toEqual({
      path,
      size: content.length,
      hashes: {
        sha256: createHash('sha256').update(content).digest('hex'),
        xxh3_128: createFastHasher().update(content).digestHex()
      }
    })
  })

  it('computes no digest unless asked, and only the fast one when that is all that is asked', async () => {
    const plain = await AtomicFileSink.create(join(tempDir(), 'a.bin'))
    await plain.write(Buffer.from('abc'))
    expect((await plain.commit()).hashes).toEqual({})
    const fast = await AtomicFileSink.create(join(tempDir(), 'b.bin'), { hashes: ['xxh3_128'] })
    await fast.write(Buffer.from('abc'))
    expect((await fast.commit()).hashes).toEqual({
      xxh3_128: createFastHasher().update(Buffer.from('abc')).digestHex()
    })
  })

  it('abort leaves nothing behind and is safe twice', async () => {
    const path = join(tempDir(), 'file.bin')
    const sink = await AtomicFileSink.create(path)
    await sink.write(Buffer.alloc(100))
    await sink.abort()
    await sink.abort()
    expect(readdirSync(dirname(path))).toEqual([])
  })

  it('gives two writers of one name two temporary files, so neither can corrupt the other', async () => {
    const path = join(tempDir(), 'file.bin')
    const a = await AtomicFileSink.create(path)
    const b = await AtomicFileSink.create(path)
    await a.write(Buffer.alloc(1000, 1))
    await b.write(Buffer.alloc(10, 2))
    expect(readdirSync(dirname(path)).filter((n) => parseTempName(n)?.final === 'file.bin')).toHaveLength(2)
    await b.commit()
    await a.commit()
    expect(readFileSync(path).equals(Buffer.alloc(1000, 1))).toBe(true)
    // A tag is never reused: a second writer with the same one fails instead of writing into the first's file.
    const first = await AtomicFileSink.create(path, { tag: 'same' })
    await expect(AtomicFileSink.create(path, { tag: 'same' })).rejects.toMatchObject({ code: 'IO_ERROR' })
    await first.abort()
  })

  it('flushes to disk before the rename only when asked (--fsync)', async () => {
    const sync = vi.spyOn(await fileHandlePrototype(), 'sync')
    await (await AtomicFileSink.create(join(tempDir(), 'fast.bin'))).commit()
    expect(sync).not.toHaveBeenCalled()
    await (await AtomicFileSink.create(join(tempDir(), 'durable.bin'), { durable: true })).commit()
    expect(sync).toHaveBeenCalledTimes(1)
  })

  it('turns a full disk into a sentence that names the file', () => {
    const error = ioError(
      Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
      '/data/out.ckpt',
      'write'
    )
    expect([error.code, error.message, error.file]).toEqual([
      'IO_ERROR',
      'Cannot write /data/out.ckpt: the disk is full.',
      '/data/out.ckpt'
    ])
  })
})
