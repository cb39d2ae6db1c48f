import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { createFastHasher, FAST_HASH, fastHashUnavailable } from './fast-hash'
import { ioError } from './io-error'

/** Digests of an output file, lower-case hex, by algorithm: what the manifest records and `verify` recomputes. */
export interface OutputHashes {
  /** Cryptographic: no one can make other bytes with the same digest, so it also stands against tampering. */
  sha256?: string
  /** XXH3-128, canonical form (`xxhsum -H2`): catches accidental damage at memory speed, not a forger. */
  xxh3_128?: string
}

export type HashAlgorithm = keyof OutputHashes

/** Every algorithm this version can compute, fastest first. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['xxh3_128', 'sha256']

/** Hex digits of each algorithm's digest, for telling a well-formed entry from a damaged one. */
export const DIGEST_HEX_LENGTH: Readonly<Record<HashAlgorithm, number>> = { xxh3_128: 32, sha256: 64 }

/** What users read for each algorithm. */
export const HASH_LABEL: Readonly<Record<HashAlgorithm, string>> = { xxh3_128: FAST_HASH, sha256: 'SHA-256' }

/** Algorithms that can be computed in this process (the fast hash needs its addon to load). */
export function computableHashes(): HashAlgorithm[] {
  return HASH_ALGORITHMS.filter((a) => a !== 'xxh3_128' || fastHashUnavailable() === undefined)
}

/**
 * What a conversion records for each output: the fast hash, and SHA-256 as well when asked for (or alone, where
 * the fast hash cannot load, so that every output still has a digest `verify` can check).
 */
export function outputHashAlgorithms(sha256: boolean): HashAlgorithm[] {
  const fast = fastHashUnavailable() === undefined
  if (!fast) return ['sha256']
  return sha256 ? ['xxh3_128', 'sha256'] : ['xxh3_128']
}

/** Several digests of one byte stream, fed together. */
export interface OutputHasher {
  update(bytes: Uint8Array): void
  digests(): OutputHashes
}

export function createOutputHasher(algorithms: readonly HashAlgorithm[]): OutputHasher {
  const parts = [...new Set(algorithms)].map((algorithm) => {
    if (algorithm === 'sha256') {
      const hash = createHash('sha256')
      return {
        algorithm,
        update: (b: Uint8Array) => void hash.update(b),
        digest: () => hash.digest('hex')
      }
    }
    const hash = createFastHasher()
    return { algorithm, update: (b: Uint8Array) => void hash.update(b), digest: () => hash.digestHex() }
  })
  return {
    update(bytes) {
      for (const part of parts) part.update(bytes)
    },
    digests() {
      const out: OutputHashes = {}
      for (const part of parts) out[part.algorithm] = part.digest()
      return out
    }
  }
}

const HASH_CHUNK_BYTES = 4 * 1024 * 1024

/**
 * The size and digests of a whole file, read once through one reused buffer; undefined digests when `stop` asks
 * to stop, `exists: false` when there is no such file.
 */
export async function hashFile(
  path: string,
  algorithms: readonly HashAlgorithm[],
  stop: () => boolean = () => false
): Promise<{ exists: boolean; size: number; hashes?: OutputHashes }> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, size: 0 }
    throw ioError(err, path, 'open')
  }
  try {
    const size = (await handle.stat()).size
    const hasher = createOutputHasher(algorithms)
    const buffer = new Uint8Array(Math.min(HASH_CHUNK_BYTES, Math.max(1, size)))
    let position = 0
    for (;;) {
      if (stop()) return { exists: true, size }
      let bytesRead: number
      try {
        ;({ bytesRead } = await handle.read(buffer, 0, buffer.length, position))
      } catch (err) {
        throw ioError(err, path, 'read')
      }
      if (bytesRead === 0) break
      hasher.update(buffer.subarray(0, bytesRead))
      position += bytesRead
    }
    // What was hashed is what the digests vouch for, even if the file changed size meanwhile.
    return { exists: true, size: position, hashes: hasher.digests() }
  } finally {
    await handle.close()
  }
}
