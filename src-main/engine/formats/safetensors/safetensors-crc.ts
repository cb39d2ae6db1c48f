import { ShardscopeError } from '../../errors'
import type { ByteSource } from '../../io/byte-source'
import { crc32Update } from '../../io/crc32'
import type { SafetensorsIndex } from './safetensors-index'

/** Bounded so that verifying a 100 GiB file costs 4 MiB of memory. */
const CRC_READ_CHUNK = 4 * 1024 * 1024
const CRC_KEY = 'crc_num'
const encoder = new TextEncoder()

/**
 * MindSpore's safetensors CRC (spec §2.4): CRC-32 chained over each tensor's UTF-8 name and then its raw bytes,
 * tensors taken in sorted-name order. Python sorts by code point, which is the byte order of the UTF-8 names.
 */
export async function computeSafetensorsCrc(source: ByteSource, index: SafetensorsIndex): Promise<number> {
  const sorted = index.tensors
    .map((tensor) => ({ tensor, nameBytes: encoder.encode(tensor.name) }))
    .sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes))
  let largestRun = 0
  for (const tensor of index.tensors)
    for (const run of tensor.chunks) largestRun = Math.max(largestRun, run.length)
  const buffer = new Uint8Array(Math.min(CRC_READ_CHUNK, largestRun))
  let crc = 0
  for (const { tensor, nameBytes } of sorted) {
    crc = crc32Update(nameBytes, crc)
    for (const run of tensor.chunks) {
      for (let done = 0; done < run.length; done += buffer.length) {
        const length = Math.min(buffer.length, run.length - done)
        await source.readInto(buffer, 0, length, run.offset + done)
        crc = crc32Update(buffer.subarray(0, length), crc)
      }
    }
  }
  return crc
}

export type SafetensorsCrcCheck = { checked: false } | { checked: true; crc: number }

/**
 * Recomputes the CRC and compares it with `__metadata__.crc_num`. A file without `crc_num` is not an error —
 * MindSpore only warns — so this returns `{ checked: false }` and lets the caller decide what to tell the user.
 */
export async function verifySafetensorsCrc(
  source: ByteSource,
  index: SafetensorsIndex
): Promise<SafetensorsCrcCheck> {
  if (!Object.hasOwn(index.metadata, CRC_KEY)) return { checked: false }
  const stored = index.metadata[CRC_KEY]!
  const expected = /^\d{1,10}$/.test(stored) ? Number(stored) : NaN
  if (!(expected <= 0xffffffff)) {
    throw new ShardscopeError(
      'CORRUPT',
      `${index.file}: __metadata__.${CRC_KEY} is "${stored.slice(0, 32)}", which is not a CRC-32 in decimal.`,
      { file: index.file }
    )
  }
  const crc = await computeSafetensorsCrc(source, index)
  if (crc !== expected) {
    throw new ShardscopeError(
      'CRC_MISMATCH',
      `${index.file} fails its CRC check: __metadata__.${CRC_KEY} says ${expected}, but the tensors give ${crc}, so the data was damaged or the crc_num was copied over from another file.`,
      { file: index.file }
    )
  }
  return { checked: true, crc }
}
