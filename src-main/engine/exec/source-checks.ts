import { ShardscopeError } from '../errors'
import { findCrcTrailer } from '../formats/ckpt/crc-trailer'
import { indexSafetensors } from '../formats/safetensors/safetensors-index'
import type { ByteSource } from '../io/byte-source'
import { CrcTrackingSource, type CrcSegment } from '../io/crc-tracking-source'
import { crc32Combine, crc32Update } from '../io/crc32'
import { fileIdentity, identityChange } from '../io/file-identity'
import type { SourceFileRef } from '../plan/plan-types'

/**
 * Refuses a source that is not the file the plan was made from: checked before a rank opens it, right after
 * (the path may have been replaced in between), and once the rank has read everything, so that a rewrite during
 * the run cannot end up in an output either.
 */
export async function requireUnchanged(source: SourceFileRef, destinationRank: number): Promise<void> {
  const change = identityChange(source.identity, await fileIdentity(source.path))
  if (change)
    throw new ShardscopeError(
      'SOURCE_CHANGED',
      `Source ${source.path} (rank ${source.rank}) changed after the conversion was planned: ${change}. Nothing was written for destination rank ${destinationRank}; plan the conversion again.`,
      { file: source.path, rank: source.rank }
    )
}

export interface CrcCheckedSource {
  source: ByteSource
  /** Completes the CRC-32 (reading only bytes the rank did not) and fails if it differs from the stored one. */
  verify(): Promise<void>
}

const encoder = new TextEncoder()

/**
 * Wraps a source whose CRC-32 the plan wants checked. `.ckpt`: the trailer's CRC over every byte before it
 * (spec §1.9). `.safetensors`: `crc_num`, chained over each tensor's name and bytes in sorted-name order (§2.4).
 */
export async function withCrcCheck(
  bytes: ByteSource,
  ref: SourceFileRef,
  destinationRank: number
): Promise<CrcCheckedSource> {
  const mismatch = (stored: number, computed: number) =>
    new ShardscopeError(
      'CRC_MISMATCH',
      `Source ${ref.path} (rank ${ref.rank}) fails its CRC-32 check (stored ${stored}, computed ${computed}): the file is damaged. Nothing was written for destination rank ${destinationRank}.`,
      { file: ref.path, rank: ref.rank }
    )
  if (ref.format === 'ckpt') {
    const trailer = await findCrcTrailer(bytes)
    if (!trailer) return { source: bytes, verify: async () => undefined }
    const whole: CrcSegment = { start: 0, end: trailer.coveredBytes }
    const tracked = new CrcTrackingSource(bytes, [whole])
    return {
      source: tracked,
      verify: async () => {
        const [computed] = await tracked.segmentCrcs([whole])
        if (computed !== trailer.stored) throw mismatch(trailer.stored, computed!)
      }
    }
  }
  const index = await indexSafetensors(bytes)
  const stored = index.metadata.crc_num
  if (stored === undefined || !/^\d{1,10}$/.test(stored) || Number(stored) > 0xffffffff)
    return { source: bytes, verify: async () => undefined }
  const tensors = index.tensors
    .map((t) => ({
      name: encoder.encode(t.name),
      segment: { start: t.chunks[0]!.offset, end: t.chunks[0]!.offset + t.byteLength }
    }))
    .sort((a, b) => Buffer.compare(a.name, b.name))
  const tracked = new CrcTrackingSource(
    bytes,
    tensors.map((t) => t.segment)
  )
  return {
    source: tracked,
    verify: async () => {
      const crcs = await tracked.segmentCrcs(tensors.map((t) => t.segment))
      let crc = 0
      tensors.forEach((t, i) => {
        crc = crc32Combine(crc32Update(t.name, crc), crcs[i]!, t.segment.end - t.segment.start)
      })
      if (crc !== Number(stored)) throw mismatch(Number(stored), crc)
    }
  }
}
