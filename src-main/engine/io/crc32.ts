import { crc32 } from 'node:zlib'
import type { ByteSource } from './byte-source'

/** CRC-32/ISO-HDLC (Python's `binascii.crc32`), chainable: pass the previous value as `initial`. */
export function crc32Update(data: Uint8Array, initial = 0): number {
  return crc32(data, initial) >>> 0
}

const CRC_READ_CHUNK = 4 * 1024 * 1024

/** CRC-32 of `source[start, end)`, read in bounded chunks. */
export async function crc32OfRange(source: ByteSource, start: number, end: number): Promise<number> {
  const buffer = new Uint8Array(Math.min(CRC_READ_CHUNK, Math.max(0, end - start)))
  let crc = 0
  for (let pos = start; pos < end; pos += buffer.length) {
    const length = Math.min(buffer.length, end - pos)
    await source.readInto(buffer, 0, length, pos)
    crc = crc32Update(buffer.subarray(0, length), crc)
  }
  return crc
}
