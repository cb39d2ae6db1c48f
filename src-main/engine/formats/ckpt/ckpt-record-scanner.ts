import { ShardscopeError } from '../../errors'
import type { WindowReader } from '../../io/window-reader'
import { dtypeByName } from '../dtypes'
import { readVarint, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../protobuf-wire'
import type { ByteRun } from '../tensor-entry'

// Names longer than this are not parameter names but garbage that happens to parse.
const MAX_TAG_BYTES = 64 * 1024
const MAX_DTYPE_BYTES = 256
const HEADER_PEEK = 16

const textDecoder = new TextDecoder('utf-8', { fatal: false })

/** One record's header: the tensor it belongs to and where its payload chunk lies. */
export interface RecordValue {
  name: string
  dtype: string
  storedDtype: string
  dims: number[]
  chunk: ByteRun
  recordOffset: number
  kind: 'tensor' | 'map'
}

/**
 * Walks `.ckpt` records field by field through a window reader: names, types and dims are read, payloads only
 * located. Every inconsistency becomes a sentence naming the file (and parameter when known).
 */
export class RecordScanner {
  constructor(
    private readonly reader: WindowReader,
    private readonly file: string,
    private readonly end: number
  ) {}

  /** Reads the top-level field at `pos`: a record (field 1) or something to skip (v0.5's `model_type`). */
  async record(pos: number): Promise<{ next: number; value?: RecordValue }> {
    const key = await this.varint(pos, 'a record header')
    const fieldNumber = Math.floor(key.value / 8)
    const wireType = key.value % 8
    if (fieldNumber === 1 && wireType === WIRE_LEN) {
      const length = await this.varint(key.next, 'a record length')
      const start = length.next
      const stop = start + length.value
      if (stop > this.end) {
        const name = await this.peekName(start, Math.min(stop, this.end))
        throw new ShardscopeError(
          'TRUNCATED',
          `${this.file} is truncated: the record${name ? ` of parameter ${name}` : ''} at offset ${pos} needs ${length.value} bytes, but only ${this.end - start} remain.`,
          { file: this.file, param: name }
        )
      }
      return { next: stop, value: await this.value(pos, start, stop) }
    }
    if (fieldNumber === 0 || wireType > WIRE_I32 || wireType === 3 || wireType === 4) throw this.garbage(pos)
    return { next: await this.skip(key.next, wireType, pos) }
  }

  private async value(recordOffset: number, start: number, stop: number): Promise<RecordValue> {
    let name: string | undefined
    let tensor: { storedDtype?: string; dims: number[]; content?: ByteRun } | undefined
    let kind: 'tensor' | 'map' = 'tensor'
    let mapBytes = 0
    for (let pos = start; pos < stop;) {
      const key = await this.varint(pos, 'a field key', stop)
      const fieldNumber = Math.floor(key.value / 8)
      const wireType = key.value % 8
      if (wireType !== WIRE_LEN) {
        pos = await this.skip(key.next, wireType, pos, stop)
        continue
      }
      const length = await this.varint(key.next, 'a field length', stop)
      const fieldStart = length.next
      const fieldStop = fieldStart + length.value
      if (fieldStop > stop) throw this.garbage(pos, name)
      if (fieldNumber === 1) {
        if (length.value > MAX_TAG_BYTES) throw this.garbage(pos)
        name = textDecoder.decode(await this.reader.view(fieldStart, length.value))
      } else if (fieldNumber === 2) {
        tensor = await this.tensorProto(fieldStart, fieldStop, name)
      } else if (fieldNumber === 3) {
        kind = 'map'
        mapBytes += await this.mapTensorBytes(fieldStart, fieldStop, name)
      }
      pos = fieldStop
    }
    if (name === undefined) {
      throw new ShardscopeError(
        'CORRUPT',
        `${this.file} is damaged: the record at offset ${recordOffset} has no parameter name.`,
        { file: this.file }
      )
    }
    if (kind === 'map') {
      return {
        name,
        dtype: 'map',
        storedDtype: 'map',
        dims: [],
        chunk: { offset: start, length: mapBytes },
        recordOffset,
        kind
      }
    }
    if (!tensor || tensor.storedDtype === undefined || !tensor.content) {
      throw new ShardscopeError(
        'CORRUPT',
        `${this.file} is damaged: the record of parameter ${name} at offset ${recordOffset} has no ${!tensor ? 'tensor' : tensor.storedDtype === undefined ? 'tensor_type' : 'tensor_content'}.`,
        { file: this.file, param: name }
      )
    }
    const stored = tensor.storedDtype
    const info = dtypeByName(stored)
    if (!info) {
      throw new ShardscopeError(
        'UNKNOWN_DTYPE',
        `${this.file}: parameter ${name} has an unknown tensor type "${printable(stored)}".`,
        { file: this.file, param: name }
      )
    }
    return {
      name,
      dtype: info.name,
      storedDtype: stored,
      dims: tensor.dims,
      chunk: tensor.content,
      recordOffset,
      kind
    }
  }

  private async tensorProto(
    start: number,
    stop: number,
    name: string | undefined
  ): Promise<{ storedDtype?: string; dims: number[]; content?: ByteRun }> {
    const dims: number[] = []
    let storedDtype: string | undefined
    let content: ByteRun | undefined
    for (let pos = start; pos < stop;) {
      const key = await this.varint(pos, 'a tensor field', stop)
      const fieldNumber = Math.floor(key.value / 8)
      const wireType = key.value % 8
      if (fieldNumber === 1 && wireType === WIRE_VARINT) {
        const dim = await this.varint(key.next, 'a dimension', stop)
        dims.push(this.dimension(dim.value, name))
        pos = dim.next
        continue
      }
      if (wireType !== WIRE_LEN) {
        pos = await this.skip(key.next, wireType, pos, stop)
        continue
      }
      const length = await this.varint(key.next, 'a tensor field length', stop)
      const fieldStart = length.next
      const fieldStop = fieldStart + length.value
      if (fieldStop > stop) throw this.garbage(pos, name)
      if (fieldNumber === 1) {
        // Packed dims: legal protobuf, never written by MindSpore.
        const packed = await this.reader.view(fieldStart, length.value)
        for (let p = 0; p < packed.length;) {
          const dim = readVarint(packed, p)
          if (!dim) throw this.garbage(fieldStart + p, name)
          dims.push(this.dimension(dim.value, name))
          p = dim.next
        }
      } else if (fieldNumber === 2) {
        if (length.value > MAX_DTYPE_BYTES) throw this.garbage(pos, name)
        storedDtype = textDecoder.decode(await this.reader.view(fieldStart, length.value))
      } else if (fieldNumber === 3) {
        content = { offset: fieldStart, length: length.value }
      }
      pos = fieldStop
    }
    const result: { storedDtype?: string; dims: number[]; content?: ByteRun } = { dims }
    if (storedDtype !== undefined) result.storedDtype = storedDtype
    if (content) result.content = content
    return result
  }

  /** Total payload bytes of a MapTensorProto's (keys, values, status) tensors. */
  private async mapTensorBytes(start: number, stop: number, name: string | undefined): Promise<number> {
    let bytes = 0
    for (let pos = start; pos < stop;) {
      const key = await this.varint(pos, 'a map tensor field', stop)
      const wireType = key.value % 8
      if (wireType !== WIRE_LEN) {
        pos = await this.skip(key.next, wireType, pos, stop)
        continue
      }
      const length = await this.varint(key.next, 'a map tensor length', stop)
      const fieldStop = length.next + length.value
      if (fieldStop > stop) throw this.garbage(pos, name)
      const inner = await this.tensorProto(length.next, fieldStop, name)
      bytes += inner.content?.length ?? 0
      pos = fieldStop
    }
    return bytes
  }

  private dimension(value: number, name: string | undefined): number {
    if (!Number.isSafeInteger(value)) {
      throw new ShardscopeError(
        'CORRUPT',
        `${this.file}: parameter ${name ?? '(unnamed)'} has a dimension that overflows (${value}).`,
        { file: this.file, param: name }
      )
    }
    return value
  }

  private async varint(pos: number, what: string, stop = this.end): Promise<{ value: number; next: number }> {
    const bytes = await this.reader.view(pos, Math.min(HEADER_PEEK, stop - pos))
    const decoded = readVarint(bytes, 0)
    if (!decoded) {
      throw new ShardscopeError(
        'TRUNCATED',
        `${this.file} is truncated: it ends in the middle of ${what} at offset ${pos}.`,
        { file: this.file }
      )
    }
    if (!Number.isSafeInteger(decoded.value)) throw this.garbage(pos)
    return { value: decoded.value, next: pos + decoded.next }
  }

  private async skip(pos: number, wireType: number, fieldPos: number, stop = this.end): Promise<number> {
    let next: number
    if (wireType === WIRE_VARINT) next = (await this.varint(pos, 'a value', stop)).next
    else if (wireType === WIRE_I64) next = pos + 8
    else if (wireType === WIRE_I32) next = pos + 4
    else if (wireType === WIRE_LEN) {
      const length = await this.varint(pos, 'a length', stop)
      next = length.next + length.value
    } else throw this.garbage(fieldPos)
    if (next > stop) throw this.garbage(fieldPos)
    return next
  }

  private async peekName(start: number, stop: number): Promise<string | undefined> {
    const bytes = await this.reader.view(start, Math.min(stop - start, 1024))
    if (bytes[0] !== 0x0a) return undefined
    const length = readVarint(bytes, 1)
    if (!length || length.next + length.value > bytes.length) return undefined
    return textDecoder.decode(bytes.subarray(length.next, length.next + length.value))
  }

  private garbage(pos: number, name?: string): ShardscopeError {
    return new ShardscopeError(
      'CORRUPT',
      `${this.file} is not a valid MindSpore checkpoint: unreadable bytes at offset ${pos}${name ? ` (in parameter ${name})` : ''}.`,
      { file: this.file, param: name }
    )
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)
}
