import type { FileHandle } from 'node:fs/promises'
import { ShardscopeError } from '../errors'
import { loadAddon } from '../exec/native-addon'
import { ioError } from './io-error'

/** An open file and what to call it in messages (usually its path). */
export interface OpenFile {
  handle: FileHandle
  name: string
}

/** 'copy_file_range' when the kernel moved every byte, else 'pread/pwrite': the buffer moved (some of) them. */
export type CopyMethod = 'copy_file_range' | 'pread/pwrite'

export interface RangeCopyResult {
  method: CopyMethod
  /** Bytes the kernel copied; the others went through the buffer. */
  kernelBytes: number
  /**
   * Why the buffer was used, e.g. "copy_file_range: EXDEV (Invalid cross-device link)". A caller copying many
   * ranges between the same two files may pass `forceFallback` after a result with kernelBytes 0.
   */
  fallbackReason?: string
}

export interface RangeCopyOptions {
  /** Skip copy_file_range (tests, or a caller that already knows this pair of files does not support it). */
  forceFallback?: boolean
  /** The fallback's buffer size; default 4 MiB (never more than the range). */
  bufferBytes?: number
  /** Throws CANCELLED between chunks once aborted. */
  signal?: AbortSignal
  /** Bytes of the range copied so far, after every chunk. */
  onProgress?: (copiedBytes: number) => void
}

interface NativeCopyOutcome {
  copied: number
  code?: string
  message?: string
}
type NativeCopy = (
  fdIn: number,
  offIn: number,
  fdOut: number,
  offOut: number,
  length: number
) => Promise<NativeCopyOutcome>

// One native call per chunk keeps cancellation and progress responsive during a copy of many gigabytes.
const KERNEL_CHUNK_BYTES = 64 * 1024 * 1024
const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024

let nativeCopy: { copy: NativeCopy } | { error: string } | undefined

function loadNativeCopy(): { copy: NativeCopy } | { error: string } {
  if (nativeCopy) return nativeCopy
  const addon = loadAddon(['copyFileRange'])
  nativeCopy = 'error' in addon ? addon : { copy: addon.exports.copyFileRange as NativeCopy }
  return nativeCopy
}

/**
 * Copies `length` bytes at `sourceOffset` of one open file to `targetOffset` of another: in the kernel with
 * copy_file_range when the addon is built and the two files' file systems support it, otherwise (or for
 * whatever the kernel left) through one bounded buffer with positional reads and writes. Neither file's
 * position moves. The two ranges must not overlap if both handles are the same file, the target must not be
 * open for appending (Linux pwrite would append), and neither handle may be closed while the copy runs.
 */
export async function copyByteRange(
  source: OpenFile,
  sourceOffset: number,
  target: OpenFile,
  targetOffset: number,
  length: number,
  options: RangeCopyOptions = {}
): Promise<RangeCopyResult> {
  checkRange(source, sourceOffset, target, targetOffset, length)
  let done = 0
  let fallbackReason: string | undefined
  const native = options.forceFallback ? { error: 'the caller asked for pread/pwrite' } : loadNativeCopy()
  if ('error' in native) fallbackReason = native.error
  else {
    while (done < length) {
      checkCancelled(options.signal, source, target)
      const chunk = Math.min(KERNEL_CHUNK_BYTES, length - done)
      const at = done
      const outcome = await native.copy(
        source.handle.fd,
        sourceOffset + at,
        target.handle.fd,
        targetOffset + at,
        chunk
      )
      done += outcome.copied
      if (outcome.copied > 0) options.onProgress?.(done)
      // Any refusal, "unsupported" or a real error, sends the rest through the buffer: it either succeeds or
      // fails on the read or the write, which names the file at fault.
      if (outcome.code !== undefined) {
        fallbackReason = `copy_file_range: ${outcome.code} (${outcome.message ?? 'no message'})`
        break
      }
      if (outcome.copied < chunk) {
        fallbackReason =
          'copy_file_range copied nothing more (the source ends, or its file system does not copy this way)'
        break
      }
    }
  }
  if (fallbackReason === undefined) return { method: 'copy_file_range', kernelBytes: done }
  await copyThroughBuffer(source, sourceOffset, target, targetOffset, length, done, options)
  return { method: 'pread/pwrite', kernelBytes: done, fallbackReason }
}

/** The bounded-buffer loop, from byte `from` of the range on. */
async function copyThroughBuffer(
  source: OpenFile,
  sourceOffset: number,
  target: OpenFile,
  targetOffset: number,
  length: number,
  from: number,
  options: RangeCopyOptions
): Promise<void> {
  if (from >= length) return
  const wanted = options.bufferBytes
  const limit =
    wanted !== undefined && Number.isSafeInteger(wanted) && wanted > 0 ? wanted : DEFAULT_BUFFER_BYTES
  const bufferBytes = Math.min(limit, length - from)
  const buffer = new Uint8Array(bufferBytes)
  let done = from
  while (done < length) {
    checkCancelled(options.signal, source, target)
    const want = Math.min(bufferBytes, length - done)
    let filled = 0
    while (filled < want) {
      let bytesRead: number
      try {
        ;({ bytesRead } = await source.handle.read(
          buffer,
          filled,
          want - filled,
          sourceOffset + done + filled
        ))
      } catch (err) {
        throw ioError(err, source.name, 'read')
      }
      if (bytesRead === 0) throw await truncated(source, sourceOffset, length)
      filled += bytesRead
    }
    let written = 0
    while (written < filled) {
      try {
        const { bytesWritten } = await target.handle.write(
          buffer,
          written,
          filled - written,
          targetOffset + done + written
        )
        written += bytesWritten
      } catch (err) {
        throw ioError(err, target.name, 'write')
      }
    }
    done += filled
    options.onProgress?.(done)
  }
}

function checkRange(
  source: OpenFile,
  sourceOffset: number,
  target: OpenFile,
  targetOffset: number,
  length: number
): void {
  const figures: [string, number, OpenFile][] = [
    ['source offset', sourceOffset, source],
    ['target offset', targetOffset, target],
    ['length', length, source]
  ]
  for (const [what, value, file] of figures) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `Cannot copy from ${source.name} to ${target.name}: the ${what} must be a non-negative integer below 2^53, got ${value}.`,
        { file: file.name }
      )
    }
  }
  for (const file of [source, target]) {
    if (file.handle.fd < 0) {
      throw new ShardscopeError(
        'IO_ERROR',
        `Cannot copy from ${source.name} to ${target.name}: ${file.name} is closed.`,
        {
          file: file.name
        }
      )
    }
  }
  if (!Number.isSafeInteger(sourceOffset + length) || !Number.isSafeInteger(targetOffset + length)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `Cannot copy ${length} bytes from ${source.name} to ${target.name}: the range ends beyond 2^53.`,
      { file: source.name }
    )
  }
}

function checkCancelled(signal: AbortSignal | undefined, source: OpenFile, target: OpenFile): void {
  if (signal?.aborted) {
    throw new ShardscopeError('CANCELLED', `The copy from ${source.name} to ${target.name} was cancelled.`, {
      file: target.name
    })
  }
}

async function truncated(source: OpenFile, sourceOffset: number, length: number): Promise<ShardscopeError> {
  let size = 'unknown'
  try {
    size = String((await source.handle.stat()).size)
  } catch {
    // The size only decorates the message.
  }
  return new ShardscopeError(
    'TRUNCATED',
    `${source.name} is truncated: expected ${length} bytes at offset ${sourceOffset}, but the file is ${size} bytes long.`,
    { file: source.name }
  )
}
