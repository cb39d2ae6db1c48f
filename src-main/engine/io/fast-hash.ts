import { createRequire } from 'node:module'
import { ShardscopeError } from '../errors'

/** The manifest's name for the fast integrity hash. */
export const FAST_HASH = 'xxh3-128'

/**
 * An incremental XXH3-128 (seed 0) of a byte stream: a non-cryptographic 128-bit hash that runs at memory speed,
 * for telling that an output was written and read back intact (SHA-256 stays for when a user asks for it).
 */
export interface FastHasher {
  update(bytes: Uint8Array): FastHasher
  /**
   * 32 lowercase hex digits: the 128-bit value, most significant byte first. That is XXH3's canonical form
   * (`XXH128_canonicalFromHash`), which `xxhsum -H2` prints, so anyone can check an output without Shardscope.
   * It does not end the hasher: more updates continue the same stream.
   */
  digestHex(): string
}

interface AddonHasher {
  update(data: Uint8Array): void
  digest(): Buffer
}
type AddonHasherClass = new (seedOrSecret: Buffer) => AddonHasher

// Seed 0, as 8 bytes: the addon reads a 4- or 8-byte buffer as a seed and a longer one as a secret.
const SEED_ZERO = Buffer.alloc(8)

let loaded: { XXHash128: AddonHasherClass } | { error: string } | undefined

/**
 * The XXH3-128 implementation: xxhash-addon, the upstream C library behind a Node-API binding with prebuilt
 * binaries. Loaded on first use through a require relative to this file, so bundles (CLI, worker, Electron
 * main) find its prebuilds in node_modules instead of beside themselves.
 */
function addon(): { XXHash128: AddonHasherClass } | { error: string } {
  if (!loaded) {
    try {
      const module = createRequire(__filename)('xxhash-addon') as { XXHash128?: AddonHasherClass }
      loaded =
        typeof module.XXHash128 === 'function'
          ? { XXHash128: module.XXHash128 }
          : { error: 'xxhash-addon has no XXHash128' }
    } catch (err) {
      loaded = { error: `xxhash-addon did not load (${(err as Error).message.split('\n')[0]})` }
    }
  }
  return loaded
}

/** Undefined when the fast hash can be computed here, else why not (then only SHA-256 is available). */
export function fastHashUnavailable(): string | undefined {
  const found = addon()
  return 'error' in found ? found.error : undefined
}

export function createFastHasher(): FastHasher {
  const found = addon()
  if ('error' in found)
    throw new ShardscopeError('UNSUPPORTED', `The ${FAST_HASH} hash is not available here: ${found.error}.`)
  const state = new found.XXHash128(SEED_ZERO)
  const hasher: FastHasher = {
    update(bytes) {
      // The addon crashes the process on anything but bytes; types alone do not guard plain JavaScript callers.
      if (!(bytes instanceof Uint8Array)) throw new TypeError('FastHasher.update takes a Uint8Array')
      state.update(bytes)
      return hasher
    },
    digestHex: () => state.digest().toString('hex')
  }
  return hasher
}
