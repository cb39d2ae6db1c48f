import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../../src-main/engine/exec/native-addon'
import { copyByteRange, type OpenFile, type RangeCopyOptions } from '../../../src-main/engine/io/kernel-copy'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const addon = loadAddon(['copyFileRange'])
const hasAddon = !('error' in addon)
const GiB = 2 ** 30

const opened: FileHandle[] = []
afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close()
})

async function openFile(path: string, flags: string): Promise<OpenFile> {
  const handle = await open(path, flags)
  opened.push(handle)
  return { handle, name: path }
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, position)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** A source of random bytes and an empty target, both open. */
async function filePair(bytes: number): Promise<{ data: Buffer; source: OpenFile; target: OpenFile }> {
  const dir = tempDir()
  const data = randomBytes(bytes)
  writeFileSync(join(dir, 'source.bin'), data)
  writeFileSync(join(dir, 'target.bin'), '')
  return {
    data,
    source: await openFile(join(dir, 'source.bin'), 'r'),
    target: await openFile(join(dir, 'target.bin'), 'r+')
  }
}

const paths: [string, RangeCopyOptions][] = [
  ['the kernel where it can', {}],
  ['the forced pread/pwrite fallback', { forceFallback: true, bufferBytes: 64 * 1024 }]
]

describe.each(paths)('copyByteRange through %s', (_label, options) => {
  const forced = options.forceFallback === true
  const expectedMethod = forced || !hasAddon ? 'pread/pwrite' : 'copy_file_range'

  it('copies a partial range to another offset and leaves the rest of the target alone', async () => {
    const { data, source, target } = await filePair(3 * 1024 * 1024 + 17)
    await target.handle.write(Buffer.alloc(5000, 0xee), 0, 5000, 0)
    const length = 2 * 1024 * 1024 + 7
    const progress: number[] = []
    const result = await copyByteRange(source, 12_345, target, 999, length, {
      ...options,
      onProgress: (bytes) => progress.push(bytes)
    })
    expect(result.method).toBe(expectedMethod)
    expect(result.kernelBytes).toBe(expectedMethod === 'copy_file_range' ? length : 0)
    const written = readFileSync(target.name)
    expect(written.length).toBe(999 + length)
    expect(written.subarray(0, 999).every((byte) => byte === 0xee)).toBe(true)
    expect(written.subarray(999).equals(data.subarray(12_345, 12_345 + length))).toBe(true)
    expect(progress.at(-1)).toBe(length)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
  })

  it('copies at offsets beyond 4 GiB in sparse files', async () => {
    const dir = tempDir()
    const marker = randomBytes(1024 * 1024)
    const sourcePath = join(dir, 'sparse-source.bin')
    const source = await openFile(sourcePath, 'w+')
    await source.handle.truncate(5 * GiB)
    await source.handle.write(marker, 0, marker.length, 4.5 * GiB)
    const target = await openFile(join(dir, 'sparse-target.bin'), 'w+')
    const length = marker.length + 8192
    const result = await copyByteRange(source, 4.5 * GiB - 4096, target, 6 * GiB + 3, length, options)
    expect(result.method).toBe(expectedMethod)
    const copied = await readAt(target.name, 6 * GiB + 3, length)
    expect(copied.length).toBe(length)
    expect(copied.subarray(0, 4096).every((byte) => byte === 0)).toBe(true)
    expect(copied.subarray(4096, 4096 + marker.length).equals(marker)).toBe(true)
    expect(copied.subarray(4096 + marker.length).every((byte) => byte === 0)).toBe(true)
  })

  it('names the source when it ends before the range does', async () => {
    const { source, target } = await filePair(10_000)
    const copying = copyByteRange(source, 9_000, target, 0, 2_000, options)
    await expect(copying).rejects.toMatchObject({
      code: 'TRUNCATED',
      file: source.name,
      message: `${source.name} is truncated: expected 2000 bytes at offset 9000, but the file is 10000 bytes long.`
    })
  })

  it('names the target when it cannot be written', async () => {
    const { source, target } = await filePair(10_000)
    const readOnly = await openFile(target.name, 'r')
    await expect(copyByteRange(source, 0, readOnly, 0, 1000, options)).rejects.toMatchObject({
      code: 'IO_ERROR',
      file: target.name,
      message: expect.stringContaining(`Cannot write ${target.name}`)
    })
  })

  it('names a source that is a directory', async () => {
    const dir = join(tempDir(), 'a-directory')
    mkdirSync(dir)
    const { target } = await filePair(0)
    const source = await openFile(dir, 'r')
    await expect(copyByteRange(source, 0, target, 0, 10, options)).rejects.toMatchObject({
      code: 'IO_ERROR',
      file: dir,
      message: `Cannot read ${dir}: it is a directory.`
    })
  })

  it('stops with CANCELLED before copying when the signal is aborted', async () => {
    const { source, target } = await filePair(100_000)
    const controller = new AbortController()
    controller.abort()
    const copying = copyByteRange(source, 0, target, 0, 100_000, { ...options, signal: controller.signal })
    await expect(copying).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(readFileSync(target.name).length).toBe(0)
  })

  it('copies nothing for an empty range', async () => {
    const { source, target } = await filePair(100)
    const result = await copyByteRange(source, 50, target, 0, 0, options)
    expect(result).toMatchObject({ method: expectedMethod, kernelBytes: 0 })
    expect(readFileSync(target.name).length).toBe(0)
  })
})

describe('copyByteRange on file systems without copy_file_range', () => {
  it('falls back for a /proc file, which the kernel will not copy', async () => {
    const content = readFileSync('/proc/version')
    const { target } = await filePair(0)
    const source = await openFile('/proc/version', 'r')
    const result = await copyByteRange(source, 0, target, 0, content.length)
    expect(result.method).toBe('pread/pwrite')
    expect(result.kernelBytes).toBe(0)
    expect(result.fallbackReason).toMatch(
      hasAddon ? /^copy_file_range: (EXDEV|EINVAL|EOPNOTSUPP|ENOSYS) |copied nothing more/ : /native addon/
    )
    expect(readFileSync(target.name).equals(content)).toBe(true)
  })

  it.skipIf(!existsSync('/dev/shm'))(
    'copies correctly between tmpfs and the disk, by whichever path works',
    async () => {
      const shm = mkdtempSync('/dev/shm/shardscope-test-')
      try {
        const data = randomBytes(300_000)
        writeFileSync(join(shm, 'source.bin'), data)
        const source = await openFile(join(shm, 'source.bin'), 'r')
        const { target } = await filePair(0)
        const result = await copyByteRange(source, 1000, target, 0, 200_000)
        expect(result.method === 'copy_file_range' || result.fallbackReason !== undefined).toBe(true)
        expect(readFileSync(target.name).equals(data.subarray(1000, 201_000))).toBe(true)
      } finally {
        rmSync(shm, { recursive: true, force: true })
      }
    }
  )

  it('says why the kernel path was not taken when asked to skip it', async () => {
    const { data, source, target } = await filePair(1000)
    const result = await copyByteRange(source, 0, target, 0, 1000, { forceFallback: true })
    expect(result).toEqual({
      method: 'pread/pwrite',
      kernelBytes: 0,
      fallbackReason: 'the caller asked for pread/pwrite'
    })
    expect(readFileSync(target.name).equals(data)).toBe(true)
  })
})

describe('copyByteRange arguments', () => {
  it('names a handle that is already closed', async () => {
    const { source, target } = await filePair(100)
    const closed = await open(target.name, 'r+')
    await closed.close()
    await expect(
      copyByteRange(source, 0, { handle: closed, name: target.name }, 0, 10)
    ).rejects.toMatchObject({
      code: 'IO_ERROR',
      file: target.name,
      message: `Cannot copy from ${source.name} to ${target.name}: ${target.name} is closed.`
    })
  })

  it.each([
    ['source offset', -1, 0, 10],
    ['target offset', 0, 1.5, 10],
    ['length', 0, 0, Number.NaN]
  ])('rejects a bad %s naming both files', async (what, sourceOffset, targetOffset, length) => {
    const { source, target } = await filePair(100)
    await expect(copyByteRange(source, sourceOffset, target, targetOffset, length)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining(`Cannot copy from ${source.name} to ${target.name}: the ${what}`)
    })
  })
})
