import { ShardscopeError } from '../../errors'
import type { ByteSource } from '../../io/byte-source'
import { crc32OfRange } from '../../io/crc32'

/** `"crc_num"` followed by the CRC-32 as a 10-byte big-endian integer (spec §1.9). */
export const CRC_TRAILER_LENGTH = 17
const CRC_MAGIC = [0x63, 0x72, 0x63, 0x5f, 0x6e, 0x75, 0x6d] // "crc_num"

export interface CrcTrailer {
  /** The CRC-32 stored in the trailer. */
  stored: number
  /** Bytes the CRC covers: everything before the trailer. */
  coveredBytes: number
}

export async function findCrcTrailer(source: ByteSource): Promise<CrcTrailer | undefined> {
  if (source.size < CRC_TRAILER_LENGTH) return undefined
  const tail = new Uint8Array(CRC_TRAILER_LENGTH)
  await source.readInto(tail, 0, CRC_TRAILER_LENGTH, source.size - CRC_TRAILER_LENGTH)
  if (!CRC_MAGIC.every((byte, i) => tail[i] === byte)) return undefined
  let stored = 0
  for (let i = 7; i < CRC_TRAILER_LENGTH; i++) stored = stored * 256 + tail[i]!
  return { stored, coveredBytes: source.size - CRC_TRAILER_LENGTH }
}

export function encodeCrcTrailer(crc: number): Uint8Array {
  const out = new Uint8Array(CRC_TRAILER_LENGTH)
  out.set(CRC_MAGIC, 0)
  let value = crc >>> 0
  for (let i = CRC_TRAILER_LENGTH - 1; i >= 7; i--) {
    out[i] = value & 0xff
    value = Math.floor(value / 256)
  }
  return out
}

/** Recomputes the CRC over the covered bytes and fails with a clear sentence when it differs. */
export async function verifyCrcTrailer(source: ByteSource, trailer: CrcTrailer): Promise<void> {
  const computed = await crc32OfRange(source, 0, trailer.coveredBytes)
  if (computed !== trailer.stored) {
    throw new ShardscopeError(
      'CRC_MISMATCH',
      `${source.name} failed its CRC-32 check (stored ${trailer.stored}, computed ${computed}); the file is damaged.`,
      { file: source.name }
    )
  }
}
