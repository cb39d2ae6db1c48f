import { createHash, type Hash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { ShardscopeError } from '../../engine/errors'
import { ioError } from '../../engine/io/io-error'
import { createFastHasher, fastHashUnavailable, type FastHasher } from '../../engine/io/fast-hash'

/** The hashes a manifest may vouch for, by its names for them (`hashes.sha256`, `hashes.xxh3_128`). */
export interface FileHashes {
  sha256?: string
  xxh3_128?: string
}

/** What one pass over a file's bytes yields: SHA-256 always (the node checks it), XXH3-128 when available. */
export interface ContentDigests {
  sha256: string
  xxh3_128?: string
}

/**
 * SHA-256 and XXH3-128 of one byte stream, fed once: SHA-256 is what the node can recompute with its own tools,
 * XXH3-128 is what the converter records by default, so either one in the manifest can vouch for the bytes sent.
 */
export class ContentHasher {
  private readonly sha = createHash('sha256') as Hash
  private readonly fast?: FastHasher

  constructor(withFastHash: boolean) {
    if (withFastHash) this.fast = createFastHasher()
  }

  update(chunk: Uint8Array): void {
    this.sha.update(chunk)
    this.fast?.update(chunk)
  }

  /** SHA-256 of what was fed so far, leaving the hasher running (a resumed file's prefix check). */
  sha256SoFar(): string {
    return this.sha.copy().digest('hex')
  }

  digests(): ContentDigests {
    const result: ContentDigests = { sha256: this.sha.digest('hex') }
    if (this.fast) result.xxh3_128 = this.fast.digestHex()
    return result
  }
}

/** A hasher for a file the manifest vouches for with `expected`; refuses up front when nothing could check it. */
export function hasherFor(expected: FileHashes, file: string, localPath: string): ContentHasher {
  const needsFast = expected.xxh3_128 !== undefined
  if (needsFast && expected.sha256 === undefined) {
    const why = fastHashUnavailable()
    if (why !== undefined)
      throw new ShardscopeError(
        'UNSUPPORTED',
        `${file} (${localPath}) is vouched for only by an XXH3-128 hash in its manifest, which cannot be computed here (${why}); it was not sent. Reinstall Shardscope so that xxhash-addon loads.`,
        { file: localPath }
      )
  }
  return new ContentHasher(needsFast && fastHashUnavailable() === undefined)
}

/**
 * Refuses bytes that differ from what the manifest vouches for: every hash the manifest has and this pass
 * computed must agree. The sentence names the file both as the push knows it and where it lies here.
 */
export function checkAgainstManifest(
  file: string,
  localPath: string,
  expected: FileHashes,
  actual: ContentDigests
): void {
  for (const name of ['xxh3_128', 'sha256'] as const) {
    const vouched = expected[name]
    const computed = actual[name]
    if (vouched === undefined || computed === undefined || vouched === computed) continue
    throw new ShardscopeError(
      'VERIFY_FAILED',
      `${file} (${localPath}) hashes to ${name} ${computed.slice(0, 16)}… but its manifest vouches for ${vouched.slice(0, 16)}…; it changed after the conversion, so it was not published. Re-run the conversion or "shardscope verify".`,
      { file: localPath }
    )
  }
}

/** Both digests of a local file, read in bounded chunks (a strategy file the manifest does not hash). */
export async function hashLocalFile(localPath: string): Promise<ContentDigests> {
  const hasher = new ContentHasher(fastHashUnavailable() === undefined)
  let handle
  try {
    handle = await open(localPath, 'r')
  } catch (err) {
    throw ioError(err, localPath, 'read')
  }
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      hasher.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
  return hasher.digests()
}
