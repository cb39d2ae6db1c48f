import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { CrcTrackingSource } from '../../../src-main/engine/io/crc-tracking-source'
import { crc32Combine, crc32Update } from '../../../src-main/engine/io/crc32'

/** Counts the bytes read from the file itself, to show which CRCs came for free. */
class CountingSource extends MemorySource {
  bytesRead = 0
  override async readInto(target: Uint8Array, offset: number, length: number, position: number) {
    this.bytesRead += length
    await super.readInto(target, offset, length, position)
  }
}

describe('crc32Combine', () => {
  it('joins the CRCs of two pieces into the CRC of both, for any lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        const whole = crc32Update(Buffer.concat([a, b]))
        expect(crc32Combine(crc32Update(a), crc32Update(b), b.length)).toBe(whole)
      })
    )
  })

  it('handles pieces beyond 4 GiB (length bits above 32)', () => {
    const x = crc32Update(Buffer.from('x'))
    const oneStep = crc32Combine(x, 0, 2 ** 32 + 5)
    // Lengths add up (associativity), and 2^32 + 5 is not taken for 5 (no 32-bit truncation).
    expect(oneStep).toBe(crc32Combine(crc32Combine(x, 0, 2 ** 32), 0, 5))
    expect(oneStep).not.toBe(crc32Combine(x, 0, 5))
  })
})

describe('CrcTrackingSource', () => {
  it('checksums reads in any order, overlapping or not, and reads only the gaps at the end', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(4999), fc.nat(700)), { maxLength: 40 }), async (reads) => {
        const data = randomBytes(5000)
        const inner = new CountingSource('f', data)
        const tracked = new CrcTrackingSource(inner, [{ start: 0, end: 4990 }])
        const covered = new Uint8Array(4990)
        for (const [position, length] of reads) {
          const n = Math.min(length, data.length - position)
          const target = new Uint8Array(n + 3)
          await tracked.readInto(target, 3, n, position)
          for (let i = position; i < Math.min(position + n, 4990); i++) covered[i] = 1
        }
        const before = inner.bytesRead
        expect(tracked.unreadBytes()).toBe(covered.filter((c) => c === 0).length)
        const [crc] = await tracked.segmentCrcs([{ start: 0, end: 4990 }])
        expect(crc).toBe(crc32Update(data.subarray(0, 4990)))
        expect(inner.bytesRead - before).toBe(covered.filter((c) => c === 0).length)
      }),
      { numRuns: 60 }
    )
  })

  it('keeps separate segments (safetensors tensors) apart', async () => {
    const data = randomBytes(100)
    const tracked = new CrcTrackingSource(new MemorySource('f', data), [
      { start: 10, end: 40 },
      { start: 40, end: 40 },
      { start: 50, end: 100 }
    ])
    await tracked.readInto(new Uint8Array(100), 0, 100, 0)
    expect(
      await tracked.segmentCrcs([
        { start: 50, end: 100 },
        { start: 10, end: 40 }
      ])
    ).toEqual([crc32Update(data.subarray(50, 100)), crc32Update(data.subarray(10, 40))])
    expect(tracked.unreadBytes()).toBe(0)
  })

  it('falls back to one sequential read when reads are too scattered to track', async () => {
    const data = randomBytes(40_000)
    const inner = new CountingSource('f', data)
    const tracked = new CrcTrackingSource(inner, [{ start: 0, end: data.length }])
    // Every other byte: 20 000 disjoint pieces.
    for (let i = 0; i < data.length; i += 2) await tracked.readInto(new Uint8Array(1), 0, 1, i)
    expect(tracked.unreadBytes()).toBe(data.length)
    expect(await tracked.segmentCrcs([{ start: 0, end: data.length }])).toEqual([crc32Update(data)])
  })
})
