import { createHash, type Hash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { ShardscopeError } from '../../engine/errors'
import { ioError } from '../../engine/io/io-error'
import { remotePrefixHash, type HashTool } from './remote-hash'
import type { Transport } from './transport'

/**
 * Bytes read per request, capped by what the node takes in one SFTP write: each chunk is one request, the server
 * applies them in order, so a killed push leaves a file without holes whose length is all that arrived.
 */
export const UPLOAD_CHUNK = 256 * 1024
const IN_FLIGHT = 16

export interface UploadOutcome {
  sha256: string
  /** Bytes sent over the wire by this call. */
  sentBytes: number
  /** Where sending started: the verified length of a partial file left by an earlier push. */
  resumedFrom: number
}

export interface UploadOptions {
  tool: HashTool
  /** SHA-256 the manifest vouches for: the bytes read must hash to it, or nothing is published. */
  expectedSha256?: string
  signal?: AbortSignal
  onBytes?: (bytes: number) => void
}

async function readRange(
  localPath: string,
  from: number,
  to: number,
  chunkBytes: number,
  each: (chunk: Buffer, position: number) => Promise<void>
) {
  let handle
  try {
    handle = await open(localPath, 'r')
  } catch (err) {
    throw ioError(err, localPath, 'read')
  }
  try {
    for (let position = from; position < to;) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, to - position))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position)
      if (bytesRead === 0)
        throw new ShardscopeError(
          'TRUNCATED',
          `${localPath} ended at ${position} bytes while it was being sent; it changed since it was written.`,
          { file: localPath }
        )
      await each(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead), position)
      position += bytesRead
    }
  } finally {
    await handle.close()
  }
}

/**
 * Sends one file to `remotePath`, hashing the bytes as they are read. A partial remote file is continued from its
 * size once its prefix hashes the same on both sides; otherwise it starts over.
 */
export async function uploadFile(
  transport: Transport,
  localPath: string,
  remotePath: string,
  size: number,
  options: UploadOptions
): Promise<UploadOutcome> {
  let hash: Hash = createHash('sha256')
  let start = 0
  const remote = await transport.stat(remotePath)
  if (remote && !remote.isDirectory && remote.size > 0 && remote.size <= size) {
    await readRange(localPath, 0, remote.size, UPLOAD_CHUNK, async (chunk) => void hash.update(chunk))
    const localPrefix = hash.copy().digest('hex')
    if ((await remotePrefixHash(transport, options.tool, remotePath, remote.size)) === localPrefix)
      start = remote.size
    else hash = createHash('sha256')
  }
  if (start === 0) hash = createHash('sha256')

  let sent = 0
  if (start < size || remote === undefined || start === 0) {
    const writer = await transport.openWrite(remotePath, start === 0 ? 'truncate' : 'keep')
    const inFlight = new Set<Promise<void>>()
    let failure: unknown
    try {
      await readRange(
        localPath,
        start,
        size,
        Math.min(UPLOAD_CHUNK, transport.maxWriteBytes),
        async (chunk, position) => {
          if (failure) throw failure
          if (options.signal?.aborted) throw new ShardscopeError('CANCELLED', 'The push was cancelled.')
          hash.update(chunk)
          const write = writer.write(chunk, position).then(
            () => {
              sent += chunk.length
              options.onBytes?.(chunk.length)
            },
            (err: unknown) => {
              failure ??= err
            }
          )
          inFlight.add(write)
          void write.finally(() => inFlight.delete(write))
          if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight)
        }
      )
      await Promise.all(inFlight)
      if (failure) throw failure
    } finally {
      await Promise.allSettled(inFlight)
      await writer.close().catch(() => undefined)
    }
  }
  const sha256 = hash.digest('hex')
  if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256) {
    throw new ShardscopeError(
      'VERIFY_FAILED',
      `${localPath} hashes to ${sha256.slice(0, 16)}… but its manifest vouches for ${options.expectedSha256.slice(0, 16)}…; it changed after the conversion, so it was not published. Re-run the conversion or "shardscope verify".`,
      { file: localPath }
    )
  }
  return { sha256, sentBytes: sent, resumedFrom: start }
}
