import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createFastHasher } from '../../../src-main/engine/io/fast-hash'
import {
  checkAgainstManifest,
  ContentHasher,
  hashLocalFile
} from '../../../src-main/services/cluster/content-hash'
import { sameContent } from '../../../src-main/services/cluster/push-marker'

const bytes = randomBytes(3 * 1024 * 1024 + 17)
const sha256 = createHash('sha256').update(bytes).digest('hex')
const xxh3 = createFastHasher().update(bytes).digestHex()
const dir = mkdtempSync(join(tmpdir(), 'sscp-hash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the hashes a push computes over the bytes it reads', () => {
  it('gives SHA-256 and XXH3-128 of one pass, fed in any chunking', () => {
    const hasher = new ContentHasher(true)
    for (let at = 0; at < bytes.length; at += 100_003) hasher.update(bytes.subarray(at, at + 100_003))
    expect(hasher.digests()).toEqual({ sha256, xxh3_128: xxh3 })
  })

  it('hashes a local file in bounded chunks', async () => {
    const path = join(dir, 'strategy.ckpt')
    writeFileSync(path, bytes)
    expect(await hashLocalFile(path)).toEqual({ sha256, xxh3_128: xxh3 })
  })

  it('refuses bytes an XXH3-only manifest does not vouch for, naming the file', () => {
    const changed = { sha256, xxh3_128: '0'.repeat(32) }
    expect(() =>
      checkAgainstManifest(
        'rank_3/checkpoint_3.ckpt',
        '/out/rank_3/checkpoint_3.ckpt',
        { xxh3_128: xxh3 },
        changed
      )
    ).toThrow(
      /^rank_3\/checkpoint_3\.ckpt \(\/out\/rank_3\/checkpoint_3\.ckpt\) hashes to xxh3_128 0{16}… but its manifest vouches for/
    )
    expect(() =>
      checkAgainstManifest('a', '/a', { xxh3_128: xxh3 }, { sha256, xxh3_128: xxh3 })
    ).not.toThrow()
  })

  it('refuses on SHA-256 too, and when both are vouched for, on either', () => {
    expect(() => checkAgainstManifest('a', '/a', { sha256: 'e'.repeat(64) }, { sha256 })).toThrow(
      /hashes to sha256/
    )
    expect(() =>
      checkAgainstManifest('a', '/a', { sha256, xxh3_128: 'f'.repeat(32) }, { sha256, xxh3_128: xxh3 })
    ).toThrow(/xxh3_128/)
  })
})

describe('a published file counts as the planned one', () => {
  it('only when a hash both sides know agrees and none disagrees', () => {
    expect(sameContent({ sha256 }, { sha256 })).toBe(true)
    expect(sameContent({ xxh3_128: xxh3 }, { sha256, xxh3_128: xxh3 })).toBe(true)
    expect(sameContent({ sha256, xxh3_128: xxh3 }, { sha256, xxh3_128: '0'.repeat(32) })).toBe(false)
    // An older marker with SHA-256 only cannot vouch for a file the manifest knows by XXH3-128 only.
    expect(sameContent({ xxh3_128: xxh3 }, { sha256 })).toBe(false)
    expect(sameContent({}, { sha256 })).toBe(false)
  })
})
