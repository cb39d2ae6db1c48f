import { dtypeByName } from '../dtypes'
import type { RecordValue } from './ckpt-record-scanner'
import { headerText, type HeaderNames } from './header-text'

const MAX_TAG_BYTES = 64 * 1024
const MAX_DTYPE_BYTES = 256
const KEY_VALUE = 0x0a // Checkpoint.value and Value.tag: field 1, length-delimited
const KEY_TENSOR = 0x12 // Value.tensor and TensorProto.tensor_type: field 2, length-delimited
const KEY_DIM = 0x08 // TensorProto.dims, unpacked: field 1, varint
const KEY_CONTENT = 0x1a // TensorProto.tensor_content: field 3, length-delimited

/**
 * The record as MindSpore (and CkptWriter) lays it out — `value { tag, tensor { dims…, tensor_type,
 * tensor_content } }`, the payload last — read synchronously from bytes already in memory, the payload only
 * located. `bytes[at]` is the record's first byte, at file position `position`; bytes up to `limit` are valid;
 * `end` is where the file's records stop.
 *
 * Anything else returns undefined: other field orders, packed dims, map tensors, a header running past `limit`,
 * and every inconsistency. The careful field-by-field scanner then reads that record and words any error, so
 * this path only ever agrees with it.
 */
export function canonicalRecord(
  bytes: Uint8Array,
  at: number,
  limit: number,
  position: number,
  end: number,
  names: HeaderNames
): { next: number; value: RecordValue } | undefined {
  const base = position - at
  let p = at
  if (bytes[p++] !== KEY_VALUE) return undefined
  const recordLength = varint(bytes, p, limit)
  p = cursor
  if (recordLength < 0) return undefined
  const stop = base + p + recordLength
  if (stop > end) return undefined

  if (bytes[p++] !== KEY_VALUE) return undefined
  const nameLength = varint(bytes, p, limit)
  p = cursor
  if (nameLength < 0 || nameLength > MAX_TAG_BYTES || p + nameLength > limit) return undefined
  const name = names.name(bytes, p, nameLength)
  p += nameLength

  if (bytes[p++] !== KEY_TENSOR) return undefined
  const tensorLength = varint(bytes, p, limit)
  p = cursor
  if (tensorLength < 0 || base + p + tensorLength !== stop) return undefined
  const dims: number[] = []
  while (p < limit && bytes[p] === KEY_DIM) {
    p++
    const dim = varint(bytes, p, limit)
    p = cursor
    if (dim < 0) return undefined
    dims.push(dim)
  }
  if (bytes[p++] !== KEY_TENSOR) return undefined
  const dtypeLength = varint(bytes, p, limit)
  p = cursor
  if (dtypeLength < 0 || dtypeLength > MAX_DTYPE_BYTES || p + dtypeLength > limit) return undefined
  const storedDtype = headerText.dtype(bytes, p, dtypeLength)
  p += dtypeLength
  const info = dtypeByName(storedDtype)
  if (!info) return undefined

  if (bytes[p++] !== KEY_CONTENT) return undefined
  const contentLength = varint(bytes, p, limit)
  p = cursor
  if (contentLength < 0 || base + p + contentLength !== stop) return undefined
  return {
    next: stop,
    value: {
      name,
      dtype: info.name,
      storedDtype,
      dims,
      chunk: { offset: base + p, length: contentLength },
      recordOffset: position,
      kind: 'tensor'
    }
  }
}

/** Where the last `varint` stopped: a module variable, so that the hot loop allocates nothing. */
let cursor = 0

/** The varint at `at` if it is a safe integer within `bytes`, else -1; sets `cursor` past it. */
function varint(bytes: Uint8Array, at: number, limit: number): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    if (at >= limit) return -1
    const byte = bytes[at++]!
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) {
      cursor = at
      return Number.isSafeInteger(value) ? value : -1
    }
    scale *= 128
  }
  return -1
}
