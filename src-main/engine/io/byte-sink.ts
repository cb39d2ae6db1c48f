import { randomBytes } from 'node:crypto'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { ByteRun } from '../formats/tensor-entry'
import { ensureDirectory } from './ensure-directory'
import { ioError } from './io-error'
import { copyByteRange, type OpenFile } from './kernel-copy'
import { createOutputHasher, type HashAlgorithm, type OutputHasher, type OutputHashes } from './output-hashes'

/** Where output bytes go. Writes are sequential; nothing is visible under the final name before `commit`. */
export interface ByteSink {
  readonly name: string
  /** Bytes accepted so far. */
  readonly position: number
  write(data: Uint8Array): Promise<void>
  /**
   * Appends the bytes of `runs` (in order) of an open file, copied in the kernel (copy_file_range); each piece is
   * then read back from the output, hashed and handed to `onBytes`. Absent where the sink has no file.
   */
  copyFrom?(source: OpenFile, runs: readonly ByteRun[], onBytes?: (bytes: Uint8Array) => void): Promise<void>
  /** False once the kernel refused to copy into this output (another file system): copyFrom is then no gain. */
  readonly copiesInKernel?: boolean
  /** Makes the output visible under its final name and returns what was written. */
  commit(): Promise<SinkResult>
  /** Drops everything written; the final name is untouched. Safe to call more than once. */
  abort(): Promise<void>
}

export interface SinkResult {
  /** Where the bytes are: the final name, or the temporary one for a sink that leaves publishing to its caller. */
  path: string
  size: number
  /** The digests the sink was asked for (none by default). */
  hashes: OutputHashes
}

const FLUSH_THRESHOLD = 4 * 1024 * 1024
// Writes this large go out as they are: coalescing them would cost a copy of every byte.
const DIRECT_WRITE_BYTES = 256 * 1024
const READ_BACK_BYTES = 4 * 1024 * 1024

/** The suffix of in-progress outputs; a file with it never looks complete. */
export const TEMP_SUFFIX = '.tmp'

/**
 * In-progress files are `<name>.shardscope-<tag>.tmp`, the tag unique to the writer (a conversion run passes its
 * run id), so two writers of the same name never share a temporary file and leftovers say whose they were.
 */
const TEMP_NAME = /^(.+)\.shardscope-([0-9a-z]+)\.tmp$/

export function tempPathFor(path: string, tag: string): string {
  return `${path}.shardscope-${tag}${TEMP_SUFFIX}`
}

/** For `<name>.shardscope-<tag>.tmp`: the final name and the writer's tag; undefined for any other name. */
export function parseTempName(name: string): { final: string; tag: string } | undefined {
  const match = TEMP_NAME.exec(basename(name))
  return match ? { final: match[1]!, tag: match[2]! } : undefined
}

/** A fresh writer tag: 12 lower-case hex digits. */
export function newWriterTag(): string {
  return randomBytes(6).toString('hex')
}

export interface AtomicFileSinkOptions {
  /**
   * fsync before the rename, so that even a power loss cannot leave a complete-looking file whose data never
   * reached the disk. Off by default, like cp and MindSpore's own writer: the rename alone already guarantees that
   * no process ever sees a partial file under the final name.
   */
  durable?: boolean
  /** Names the temporary file (`<path>.shardscope-<tag>.tmp`); a fresh random tag by default. */
  tag?: string
  /** Digests computed on the way through (conversion outputs: see `outputHashAlgorithms`); none by default. */
  hashes?: readonly HashAlgorithm[]
  /**
   * Commit seals the file (flushed, synced if durable, closed) but leaves it under its temporary name: the caller
   * records it first (a conversion's manifest) and then renames it with `publishSealed`, so that no crash can
   * leave a complete-looking output that nothing vouches for.
   */
  publishLater?: boolean
}

/** Gives a sealed temporary file (`publishLater`) its final name. */
export async function publishSealed(tempPath: string, path: string): Promise<void> {
  try {
    await rename(tempPath, path)
  } catch (err) {
    throw ioError(err, path, 'finish writing')
  }
}

/**
 * Writes `<path>.shardscope-<tag>.tmp`, then renames it to `<path>` on commit. Small writes are coalesced; the
 * digests asked for are computed on the way through, so nobody has to read the file back to hash it.
 */
export class AtomicFileSink implements ByteSink {
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private written = 0
  private closed = false
  private kernelRefused = false
  private readBack?: Uint8Array

  private constructor(
    readonly name: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly durable: boolean,
    private readonly hash: OutputHasher,
    private readonly publishLater: boolean
  ) {}

  static async create(path: string, options: AtomicFileSinkOptions = {}): Promise<AtomicFileSink> {
    const tempPath = tempPathFor(path, options.tag ?? newWriterTag())
    const hash = createOutputHasher(options.hashes ?? [])
    try {
      await ensureDirectory(dirname(path))
      // Readable too: bytes copied in the kernel are read back from here to be hashed.
      const handle = await open(tempPath, 'wx+')
      return new AtomicFileSink(
        path,
        tempPath,
        handle,
        options.durable ?? false,
        hash,
        options.publishLater === true
      )
    } catch (err) {
      throw ioError(err, tempPath, 'create')
    }
  }

  get position(): number {
    return this.written + this.pendingBytes
  }

  async write(data: Uint8Array): Promise<void> {
    if (data.length === 0) return
    if (data.length >= DIRECT_WRITE_BYTES) {
      await this.flush()
      // The kernel copies the bytes on a libuv thread while this thread hashes them.
      const writing = this.writeAll(data)
      this.hash.update(data)
      await writing
      this.written += data.length
      return
    }
    this.hash.update(data)
    // Callers may reuse their buffer after we return, so keep a copy of what we hold on to.
    this.pending.push(data.slice())
    this.pendingBytes += data.length
    if (this.pendingBytes >= FLUSH_THRESHOLD) await this.flush()
  }

  get copiesInKernel(): boolean {
    return !this.kernelRefused
  }

  async copyFrom(
    source: OpenFile,
    runs: readonly ByteRun[],
    onBytes?: (bytes: Uint8Array) => void
  ): Promise<void> {
    await this.flush()
    const target = { handle: this.handle, name: this.tempPath }
    const start = this.written
    let end = start
    for (const run of runs) {
      const result = await copyByteRange(source, run.offset, target, end, run.length, {
        forceFallback: this.kernelRefused
      })
      if (result.method !== 'copy_file_range' && result.kernelBytes === 0) this.kernelRefused = true
      end += run.length
    }
    // The digests cover what landed in the output, read back while it is still in the page cache.
    const buffer = (this.readBack ??= new Uint8Array(READ_BACK_BYTES))
    for (let at = start; at < end;) {
      const want = Math.min(buffer.length, end - at)
      let filled = 0
      while (filled < want) {
        let bytesRead: number
        try {
          ;({ bytesRead } = await this.handle.read(buffer, filled, want - filled, at + filled))
        } catch (err) {
          throw ioError(err, this.name, 'read back')
        }
        if (bytesRead === 0)
          throw ioError(new Error('it is shorter than what was copied into it'), this.name, 'read back')
        filled += bytesRead
      }
      const bytes = buffer.subarray(0, want)
      this.hash.update(bytes)
      onBytes?.(bytes)
      at += want
    }
    this.written = end
  }

  async commit(): Promise<SinkResult> {
    await this.flush()
    try {
      if (this.durable) await this.handle.sync()
      await this.handle.close()
      this.closed = true
      if (!this.publishLater) await rename(this.tempPath, this.name)
    } catch (err) {
      await this.abort()
      throw ioError(err, this.name, 'finish writing')
    }
    return {
      path: this.publishLater ? this.tempPath : this.name,
      size: this.written,
      hashes: this.hash.digests()
    }
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      await this.handle.close().catch(() => undefined)
    }
    await unlink(this.tempPath).catch(() => undefined)
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return
    const joined =
      this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes)
    const length = this.pendingBytes
    this.pending = []
    this.pendingBytes = 0
    await this.writeAll(joined)
    this.written += length
  }

  /** Writes at `written` by position: kernel copies do not move the file's offset. */
  private async writeAll(data: Uint8Array): Promise<void> {
    let done = 0
    while (done < data.length) {
      try {
        const { bytesWritten } = await this.handle.write(data, done, data.length - done, this.written + done)
        done += bytesWritten
      } catch (err) {
        throw ioError(err, this.name, 'write')
      }
    }
  }
}

/** Collects output in memory: for small outputs (strategy files) and tests. */
export class MemorySink implements ByteSink {
  private chunks: Uint8Array[] = []
  private size = 0
  constructor(readonly name = '<memory>') {}

  get position(): number {
    return this.size
  }

  async write(data: Uint8Array): Promise<void> {
    this.chunks.push(data.slice())
    this.size += data.length
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.size)
  }

  async commit(): Promise<SinkResult> {
    return { path: this.name, size: this.size, hashes: {} }
  }

  async abort(): Promise<void> {
    this.chunks = []
    this.size = 0
  }
}
