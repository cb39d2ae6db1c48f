import type { ByteSource } from '../io/byte-source'

/** A contiguous run of a tensor's raw bytes inside a file. */
export interface ByteRun {
  offset: number
  length: number
}

/**
 * One tensor as found in a checkpoint file, without its bytes: where its raw little-endian C-order payload lives.
 * A `.ckpt` tensor may be split over several records (chunks); a safetensors tensor is one run.
 */
export interface TensorEntry {
  name: string
  /** Canonical MindSpore dtype name (`Float32`, `BFloat16`, `UInt8`, ...). */
  dtype: string
  /** Logical shape; `[]` for a scalar. */
  shape: number[]
  byteLength: number
  chunks: ByteRun[]
}

export function elementCount(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/**
 * Copies `length` bytes of a tensor's payload, starting `byteOffset` bytes into the tensor, into `target`.
 * Works across chunk boundaries; reads only what is asked for.
 */
export async function readTensorBytes(
  source: ByteSource,
  entry: TensorEntry,
  byteOffset: number,
  length: number,
  target: Uint8Array,
  targetOffset = 0
): Promise<void> {
  let chunkStart = 0
  let remaining = length
  let cursor = byteOffset
  let out = targetOffset
  for (const chunk of entry.chunks) {
    const chunkEnd = chunkStart + chunk.length
    if (remaining > 0 && cursor < chunkEnd) {
      const within = cursor - chunkStart
      const take = Math.min(remaining, chunk.length - within)
      await source.readInto(target, out, take, chunk.offset + within)
      cursor += take
      out += take
      remaining -= take
    }
    chunkStart = chunkEnd
    if (remaining === 0) return
  }
  if (remaining > 0) throw new RangeError(`read past the end of tensor ${entry.name}`)
}
