import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AtomicFileSink } from '../../../src-main/engine/io/byte-sink'
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
  it('writes <name>.tmp, renames on commit, and reports size and SHA-256 of small and large writes', async () => {
    const path = join(tempDir(), 'out', 'file.bin')
    const sink = await AtomicFileSink.create(path)
    const small = Buffer.from('header')
    const large = Buffer.alloc(5 * 1024 * 1024, 7)
    await sink.write(small)
    await sink.write(large)
    expect(existsSync(path)).toBe(false)
    expect(existsSync(path + '.tmp')).toBe(true)
    const result = await sink.commit()
    const content = Buffer.concat([small, large])
    expect(readFileSync(path).equals(content)).toBe(true)
    expect(existsSync(path + '.tmp')).toBe(false)
    expect(result).toEqual({
      path,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex')
    })
  })

  it('abort leaves nothing behind and is safe twice', async () => {
    const path = join(tempDir(), 'file.bin')
    const sink = await AtomicFileSink.create(path)
    await sink.write(Buffer.alloc(100))
    await sink.abort()
    await sink.abort()
    expect(existsSync(path)).toBe(false)
    expect(existsSync(path + '.tmp')).toBe(false)
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
