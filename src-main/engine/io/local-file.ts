import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { ioError } from './io-error'
import { requireRegularFile } from './regular-file'
import { ShardscopeError } from '../errors'
import { truncatedError, type ByteSource } from './byte-source'
import type { OpenFile } from './kernel-copy'

/** A file on local disk read with positional reads; works for files of any size (offsets are exact up to 2^53). */
export class LocalFileSource implements ByteSource {
  private constructor(
    readonly name: string,
    readonly size: number,
    private readonly handle: FileHandle
  ) {}

  static async open(path: string): Promise<LocalFileSource> {
    let handle: FileHandle
    try {
      // Non-blocking, so that a named pipe is opened (and then refused) instead of waiting for a writer; reads
      // of a regular file ignore the flag.
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    } catch (err) {
      throw ioError(err, path, 'open')
    }
    try {
      const stat = await handle.stat()
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' })
      requireRegularFile(stat, path)
      return new LocalFileSource(path, stat.size, handle)
    } catch (err) {
      await handle.close()
      throw err instanceof ShardscopeError ? err : ioError(err, path, 'open')
    }
  }

  get fd(): number {
    return this.handle.fd
  }

  get openFile(): OpenFile {
    return { handle: this.handle, name: this.name }
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    await readFully(this, target, offset, length, position, async (at, count, from) => {
      return (await this.handle.read(target, at, count, from)).bytesRead
    })
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

/** Opens a file, hands it to `use`, and closes it whatever happens. */
export async function withLocalFile<T>(
  path: string,
  use: (source: LocalFileSource) => Promise<T>
): Promise<T> {
  const source = await LocalFileSource.open(path)
  try {
    return await use(source)
  } finally {
    await source.close()
  }
}

/**
 * Fills `target[offset, offset+length)` from `position` with as many calls of `readOnce` (one system read, by
 * whatever means) as it takes; a read error names the file, and a file that ends early (another process
 * truncated it) is reported like any truncation.
 */
export async function readFully(
  source: ByteSource,
  target: Uint8Array,
  offset: number,
  length: number,
  position: number,
  readOnce: (at: number, count: number, from: number) => number | Promise<number>
): Promise<void> {
  if (position < 0 || position + length > source.size) throw truncatedError(source, position, length)
  let done = 0
  while (done < length) {
    let bytesRead: number
    try {
      bytesRead = await readOnce(offset + done, length - done, position + done)
    } catch (err) {
      throw ioError(err, source.name, 'read')
    }
    if (bytesRead === 0) throw truncatedError(source, position, length)
    done += bytesRead
  }
}
