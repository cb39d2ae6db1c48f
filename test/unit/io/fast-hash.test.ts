import { describe, expect, it } from 'vitest'
import { createFastHasher, fastHashUnavailable } from '../../../src-main/engine/io/fast-hash'

/** Bytes (i * 31 + 7) mod 256, the same on both sides of the vectors below. */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff
  return bytes
}

// From Debian's `xxhsum -H2` (upstream xxHash 0.8.1), an implementation independent of the addon's build:
// lengths at XXH3's internal boundaries (1-3, 4-8, 9-16, 17-128, 129-240, stripes, blocks).
const VECTORS: [number, string][] = [
  [0, '99aa06d3014798d86001c324468d497f'],
  [1, '495b62073ef70ca44c5cca45d0f4811f'],
  [3, '46f66cb93538156515f7093b173d005c'],
  [4, '7fefeeffb4d0eab3b987ca5d9241572a'],
  [8, '803c675a846cc6c256bb836ceb6d4baa'],
  [9, 'd46556872d230f224376673580310154'],
  [16, '650fe308c566747df853dd94614dfa07'],
  [17, '18217300b5132d5a78c349fe81b2f26c'],
  [128, 'b4f87b99d2db8a511e04fad9f0cacb4d'],
  [129, '6881633650cd8924c51bc887976aef63'],
  [240, 'de57aab31e77a2ff93e173833f75ab66'],
  [241, '92b991a7192f3f080b3b630948ce4a00'],
  [1024, '4c17271c906df79223bc880ebf0d29c6'],
  [100003, 'cb5ebd34f7252f19e0950e66cf107fe8'],
  [5242880, 'cac73e5db15afe82959bd150496d0249']
]

describe('fast hash (XXH3-128)', () => {
  it('is available on this machine', () => {
    expect(fastHashUnavailable()).toBeUndefined()
  })

  it.each(VECTORS)('matches xxhsum -H2 for %i bytes, most significant byte first', (length, hex) => {
    expect(createFastHasher().update(pattern(length)).digestHex()).toBe(hex)
  })

  it('gives the same digest however the stream is cut', () => {
    const bytes = pattern(100003)
    for (const step of [1, 7, 64, 1000, 65536]) {
      const hasher = createFastHasher()
      for (let at = 0; at < bytes.length; at += step) hasher.update(bytes.subarray(at, at + step))
      expect(hasher.digestHex(), `chunks of ${step}`).toBe('cb5ebd34f7252f19e0950e66cf107fe8')
    }
  })

  it('hashes views into shared memory and does not end at a digest', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(2048))
    shared.set(pattern(1024), 512)
    const hasher = createFastHasher().update(shared.subarray(512, 1024))
    expect(hasher.digestHex()).toBe(createFastHasher().update(pattern(512)).digestHex())
    hasher.update(shared.subarray(1024, 1536))
    expect(hasher.digestHex()).toBe('4c17271c906df79223bc880ebf0d29c6')
  })

  it('refuses anything but bytes instead of crashing the process', () => {
    const hasher = createFastHasher()
    expect(() => hasher.update('abc' as unknown as Uint8Array)).toThrow(TypeError)
    expect(hasher.digestHex()).toBe('99aa06d3014798d86001c324468d497f')
  })
})
