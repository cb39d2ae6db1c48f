import { open, type FileHandle } from 'node:fs/promises'
import { ShardscopeError } from '../../engine/errors'
import { ioError } from '../../engine/io/io-error'
import { checkAgainstManifest, hasherFor, type ContentHasher, type FileHashes } from './content-hash'
import { remotePrefixHash, type HashTool } from './remote-hash'
import type { RemoteWriter, Transport } from './transport'

/**
 * Bytes read per request, capped by what the node takes in one SFTP write: each chunk is one request, the server
 * applies them in order, so a killed push leaves a file without holes whose length is all that arrived.
 */
export const UPLOAD_CHUNK = 256 * 1024
/**
 * Bytes of one file in flight at once. OpenSSH grants a 2 MiB channel window; four times that keeps requests
 * queued while replies come back, and bounds memory per upload (chunk buffers are reused, never reallocated).
 */
export const UPLOAD_WINDOW = 8 * 1024 * 1024

export interface UploadOutcome {
  sha256: string
  xxh3_128?: string
  /** Bytes sent over the wire by this call. */
  sentBytes: number
  /** Where sending started: the verified length of a partial file left by an earlier push. */
  resumedFrom: number
}

export interface UploadOptions {
  tool: HashTool
  /** The file's name in the push (`rank_3/checkpoint_3.ckpt`), for sentences. */
  name: string
  /** What the manifest vouches for: the bytes read must hash to every one of these, or nothing is published. */
  expected: FileHashes
  signal?: AbortSignal
  onBytes?: (bytes: number) => void
}

async function openLocal(localPath: string): Promise<FileHandle> {
  try {
    return await open(localPath, 'r')
  } catch (err) {
    throw ioError(err, localPath, 'read')
  }
}

async function readChunk(
  handle: FileHandle,
  localPath: string,
  into: Buffer,
  position: number,
  length: number
) {
  const { bytesRead } = await handle.read(into, 0, length, position)
  if (bytesRead === 0)
    throw new ShardscopeError(
      'TRUNCATED',
      `${localPath} ended at ${position} bytes while it was being sent; it changed since it was written.`,
      { file: localPath }
    )
  return into.subarray(0, bytesRead)
}

/** Feeds bytes [from, to) of the file to the hasher only (a partial remote file's prefix). */
async function hashRange(
  handle: FileHandle,
  localPath: string,
  hasher: ContentHasher,
  from: number,
  to: number
) {
  const buffer = Buffer.allocUnsafe(UPLOAD_CHUNK)
  for (let position = from; position < to;) {
    const chunk = await readChunk(handle, localPath, buffer, position, Math.min(UPLOAD_CHUNK, to - position))
    hasher.update(chunk)
    position += chunk.length
  }
}

/**
 * Streams bytes [from, to) to the writer: each chunk hashed as it is read, up to UPLOAD_WINDOW bytes in flight,
 * a chunk's buffer reused once the node has acknowledged it. The first failed write stops the stream.
 */
async function sendRange(
  handle: FileHandle,
  localPath: string,
  writer: RemoteWriter,
  hasher: ContentHasher,
  range: { from: number; to: number; chunk: number },
  options: UploadOptions
): Promise<number> {
  const free: Buffer[] = []
  const inFlight = new Set<Promise<void>>()
  const slots = Math.max(1, Math.floor(UPLOAD_WINDOW / range.chunk))
  let failure: unknown
  let sent = 0
  try {
    for (let position = range.from; position < range.to;) {
      while (inFlight.size >= slots && !failure) await Promise.race(inFlight)
      if (failure) throw failure
      if (options.signal?.aborted) throw new ShardscopeError('CANCELLED', 'The push was cancelled.')
      const buffer = free.pop() ?? Buffer.allocUnsafe(range.chunk)
      const length = Math.min(range.chunk, range.to - position)
      const chunk = await readChunk(handle, localPath, buffer, position, length)
      hasher.update(chunk)
      const write: Promise<void> = writer.write(chunk, position).then(
        () => {
          sent += chunk.length
          options.onBytes?.(chunk.length)
          free.push(buffer)
        },
        (err: unknown) => void (failure ??= err)
      )
      inFlight.add(write)
      void write.finally(() => inFlight.delete(write))
      position += chunk.length
    }
    await Promise.all(inFlight)
    if (failure) throw failure
    return sent
  } finally {
    await Promise.allSettled(inFlight)
  }
}

/**
 * Sends one file to `remotePath`, hashing the bytes as they are read. A partial remote file is continued from its
 * size once its prefix hashes the same on both sides; otherwise it starts over. The bytes read must match every
 * hash the manifest vouches for (SHA-256 or XXH3-128), or the upload fails and nothing of it is published.
 */
export async function uploadFile(
  transport: Transport,
  localPath: string,
  remotePath: string,
  size: number,
  options: UploadOptions
): Promise<UploadOutcome> {
  const handle = await openLocal(localPath)
  try {
    let hasher = hasherFor(options.expected, options.name, localPath)
    let start = 0
    const remote = await transport.stat(remotePath)
    if (remote && !remote.isDirectory && remote.size > 0 && remote.size <= size) {
      await hashRange(handle, localPath, hasher, 0, remote.size)
      const remotePrefix = await remotePrefixHash(transport, options.tool, remotePath, remote.size)
      if (remotePrefix === hasher.sha256SoFar()) start = remote.size
      else hasher = hasherFor(options.expected, options.name, localPath)
    }
    let sent = 0
    if (start < size || start === 0) {
      const writer = await transport.openWrite(remotePath, start === 0 ? 'truncate' : 'keep')
      try {
        const chunk = Math.min(UPLOAD_CHUNK, transport.maxWriteBytes)
        sent = await sendRange(handle, localPath, writer, hasher, { from: start, to: size, chunk }, options)
      } finally {
        await writer.close().catch(() => undefined)
      }
    }
    const digests = hasher.digests()
    checkAgainstManifest(options.name, localPath, options.expected, digests)
    return { ...digests, sentBytes: sent, resumedFrom: start }
  } finally {
    await handle.close().catch(() => undefined)
  }
}
