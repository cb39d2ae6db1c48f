import { ShardscopeError } from '../../errors'
import type { ByteSink, SinkResult } from '../../io/byte-sink'
import { crc32Update } from '../../io/crc32'
import type { OpenFile } from '../../io/kernel-copy'
import { payloadRuns } from '../../io/payload-runs'
import type { ByteRun } from '../tensor-entry'
import { requireDtype } from '../dtypes'
import { fieldKey, lenFieldSize, varintLength, WIRE_LEN, WIRE_VARINT, writeVarint } from '../protobuf-wire'
import { CRC_TRAILER_LENGTH, encodeCrcTrailer } from './crc-trailer'

/** MindSpore 2.3+ cuts a tensor's bytes every 512 MiB into records with the same tag (spec §1.5). */
export const MINDSPORE_CHUNK_BYTES = 512 * 1024 * 1024

export interface CkptWriterOptions {
  /** Bytes per record; MindSpore's 512 MiB unless a test wants small chunks. */
  chunkBytes?: number
  /** Append MindSpore's `crc_num` trailer (2.3+ `crc_check=True`). */
  crc?: boolean
}

/** The `dims` MindSpore 2.3+ writes for a logical shape: none for scalars, `[0]` for text. */
export function dimsForShape(shape: readonly number[], dtype: string): number[] {
  return dtype === 'str' ? [0] : [...shape]
}

/**
 * Streams tensors into a `.ckpt` exactly as MindSpore 2.3+ lays them out: one `Checkpoint{value}` message per
 * record, unpacked dims, required fields always present, content cut at `chunkBytes`.
 */
export class CkptWriter {
  private crc = 0
  private open?: { name: string; dtype: string; dims: number[]; remaining: number; inPiece: number }
  private readonly chunkBytes: number

  constructor(
    private readonly sink: ByteSink,
    private readonly options: CkptWriterOptions = {}
  ) {
    this.chunkBytes = options.chunkBytes ?? MINDSPORE_CHUNK_BYTES
    if (!(this.chunkBytes > 0)) throw new RangeError('chunkBytes must be positive')
  }

  /** Writes a whole small tensor. */
  async writeTensor(name: string, dtype: string, dims: readonly number[], data: Uint8Array): Promise<void> {
    await this.beginTensor(name, dtype, dims, data.length)
    await this.writeData(data)
  }

  /** Starts a tensor of `byteLength` bytes; its payload follows through `writeData`. */
  async beginTensor(name: string, dtype: string, dims: readonly number[], byteLength: number): Promise<void> {
    if (this.open && this.open.remaining > 0) {
      throw new Error(`tensor ${this.open.name} still expects ${this.open.remaining} bytes`)
    }
    requireDtype(dtype, { param: name, file: this.sink.name })
    this.open = { name, dtype, dims: [...dims], remaining: byteLength, inPiece: 0 }
    // A tensor without bytes is still one record with an empty tensor_content.
    if (byteLength === 0) await this.emit(recordHeader(name, dtype, this.open.dims, 0))
  }

  async writeData(data: Uint8Array): Promise<void> {
    const open = this.open
    if (!open || data.length > open.remaining) {
      throw new Error(`more tensor bytes than announced for ${open?.name ?? '(no tensor)'}`)
    }
    let offset = 0
    while (offset < data.length) {
      if (open.inPiece === 0) {
        const piece = Math.min(this.chunkBytes, open.remaining)
        await this.emit(recordHeader(open.name, open.dtype, open.dims, piece))
        open.inPiece = piece
      }
      const take = Math.min(open.inPiece, data.length - offset)
      await this.emit(data.subarray(offset, offset + take))
      offset += take
      open.inPiece -= take
      open.remaining -= take
    }
  }

  /**
   * Appends `length` payload bytes of the open tensor straight from `runs` of an open file (in the kernel where
   * it can: see ByteSink.copyFrom), in the same records as writeData, CRC and digests still covering every byte.
   */
  async copyData(source: OpenFile, runs: readonly ByteRun[]): Promise<void> {
    const open = this.open
    const length = runs.reduce((sum, run) => sum + run.length, 0)
    if (!open || length > open.remaining || !this.sink.copyFrom) {
      throw new Error(`cannot copy ${length} bytes into ${open?.name ?? '(no tensor)'} of ${this.sink.name}`)
    }
    const onBytes = this.options.crc
      ? (bytes: Uint8Array) => void (this.crc = crc32Update(bytes, this.crc))
      : undefined
    let offset = 0
    while (offset < length) {
      if (open.inPiece === 0) {
        const piece = Math.min(this.chunkBytes, open.remaining)
        await this.emit(recordHeader(open.name, open.dtype, open.dims, piece))
        open.inPiece = piece
      }
      const take = Math.min(open.inPiece, length - offset)
      await this.sink.copyFrom(source, payloadRuns(runs, offset, take), onBytes)
      offset += take
      open.inPiece -= take
      open.remaining -= take
    }
  }

  /** Appends the CRC trailer if asked, and makes the file visible under its final name. */
  async finish(): Promise<SinkResult> {
    if (this.open && this.open.remaining > 0) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `Cannot finish ${this.sink.name}: parameter ${this.open.name} is missing ${this.open.remaining} bytes.`,
        { file: this.sink.name, param: this.open.name }
      )
    }
    if (this.options.crc) await this.sink.write(encodeCrcTrailer(this.crc))
    return this.sink.commit()
  }

  async abort(): Promise<void> {
    await this.sink.abort()
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    if (this.options.crc) this.crc = crc32Update(bytes, this.crc)
    await this.sink.write(bytes)
  }
}

const encoder = new TextEncoder()

/** Everything of one record up to (not including) its `tensor_content` payload. */
export function recordHeader(
  name: string,
  dtype: string,
  dims: readonly number[],
  payloadLength: number
): Uint8Array {
  const tag = encoder.encode(name)
  const type = encoder.encode(dtype)
  const dimsBytes = dims.reduce((sum, d) => sum + 1 + varintLength(d), 0)
  const tensorLength = dimsBytes + lenFieldSize(2, type.length) + lenFieldSize(3, payloadLength)
  const valueLength = lenFieldSize(1, tag.length) + lenFieldSize(2, tensorLength)
  const headerLength = lenFieldSize(1, valueLength) - payloadLength
  const out = new Uint8Array(headerLength)
  let p = 0
  out[p++] = fieldKey(1, WIRE_LEN) // Checkpoint.value
  p = writeVarint(out, p, valueLength)
  out[p++] = fieldKey(1, WIRE_LEN) // Value.tag
  p = writeVarint(out, p, tag.length)
  out.set(tag, p)
  p += tag.length
  out[p++] = fieldKey(2, WIRE_LEN) // Value.tensor
  p = writeVarint(out, p, tensorLength)
  for (const d of dims) {
    out[p++] = fieldKey(1, WIRE_VARINT) // TensorProto.dims, unpacked
    p = writeVarint(out, p, d)
  }
  out[p++] = fieldKey(2, WIRE_LEN) // TensorProto.tensor_type
  p = writeVarint(out, p, type.length)
  out.set(type, p)
  p += type.length
  out[p++] = fieldKey(3, WIRE_LEN) // TensorProto.tensor_content
  writeVarint(out, p, payloadLength)
  return out
}

/** The exact size of a `.ckpt` holding these tensors, as this writer lays them out. */
export function ckptFileSize(
  tensors: readonly { name: string; dtype: string; dims: readonly number[]; byteLength: number }[],
  options: CkptWriterOptions = {}
): number {
  const chunkBytes = options.chunkBytes ?? MINDSPORE_CHUNK_BYTES
  let size = options.crc ? CRC_TRAILER_LENGTH : 0
  for (const t of tensors) {
    const pieces = Math.max(1, Math.ceil(t.byteLength / chunkBytes))
    for (let i = 0; i < pieces; i++) {
      const piece = Math.min(chunkBytes, t.byteLength - i * chunkBytes)
      size += recordHeader(t.name, t.dtype, t.dims, Math.max(0, piece)).length + Math.max(0, piece)
    }
  }
  return size
}
