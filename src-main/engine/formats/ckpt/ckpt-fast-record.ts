import { dtypeByName, type DtypeInfo } from '../dtypes'
import type { RecordValue } from './ckpt-record-scanner'
import { headerText, type HeaderNames } from './header-text'

const MAX_TAG_BYTES = 64 * 1024
const MAX_DTYPE_BYTES = 256
// More dims than any tensor has; a record with more goes the careful way.
const MAX_FAST_DIMS = 64
const KEY_VALUE = 0x0a // Checkpoint.value and Value.tag: field 1, length-delimited
const KEY_TENSOR = 0x12 // Value.tensor and TensorProto.tensor_type: field 2, length-delimited
const KEY_DIM = 0x08 // TensorProto.dims, unpacked: field 1, varint
const KEY_CONTENT = 0x1a // TensorProto.tensor_content: field 3, length-delimited

/**
 * One canonical record's header as `canonicalHeader` leaves it: positions, not objects, so that a loop over
 * millions of records can reuse one of these and allocate nothing per record.
 */
export class CanonicalHeader {
  /** File position just past the record. */
  next = 0
  /** The tag's bytes: `bytes[nameStart … nameStart + nameLength)` of the buffer that was parsed. */
  nameStart = 0
  nameLength = 0
  readonly dims = new Float64Array(MAX_FAST_DIMS)
  dimCount = 0
  /** `tensor_type` exactly as stored, and what it names. */
  storedDtype = ''
  info: DtypeInfo | undefined
  /** File position and length of the payload. */
  contentOffset = 0
  contentLength = 0
}

/**
 * The record as MindSpore (and CkptWriter) lays it out — `value { tag, tensor { dims…, tensor_type,
 * tensor_content } }`, the payload last — read synchronously from bytes already in memory, the payload only
 * located. `bytes[at]` is the record's first byte, at file position `position`; bytes up to `limit` are valid;
 * `end` is where the file's records stop. Fills `header` and returns true.
 *
 * Anything else returns false: other field orders, packed dims, map tensors, a header running past `limit`,
 * and every inconsistency. The careful field-by-field scanner then reads that record and words any error, so
 * this path only ever agrees with it.
 */
export function canonicalHeader(
  bytes: Uint8Array,
  at: number,
  limit: number,
  position: number,
  end: number,
  header: CanonicalHeader
): boolean {
  const base = position - at
  let p = at
  if (p >= limit || bytes[p++] !== KEY_VALUE) return false
  const recordLength = varint(bytes, p, limit)
  p = cursor
  if (recordLength < 0) return false
  const stop = base + p + recordLength
  if (stop > end) return false

  if (p >= limit || bytes[p++] !== KEY_VALUE) return false
  const nameLength = varint(bytes, p, limit)
  p = cursor
  if (nameLength < 0 || nameLength > MAX_TAG_BYTES || p + nameLength > limit) return false
  header.nameStart = p
  header.nameLength = nameLength
  p += nameLength

  if (p >= limit || bytes[p++] !== KEY_TENSOR) return false
  const tensorLength = varint(bytes, p, limit)
  p = cursor
  if (tensorLength < 0 || base + p + tensorLength !== stop) return false
  let dimCount = 0
  while (p < limit && bytes[p] === KEY_DIM) {
    p++
    const dim = varint(bytes, p, limit)
    p = cursor
    if (dim < 0 || dimCount === MAX_FAST_DIMS) return false
    header.dims[dimCount++] = dim
  }
  header.dimCount = dimCount
  if (p >= limit || bytes[p++] !== KEY_TENSOR) return false
  const dtypeLength = varint(bytes, p, limit)
  p = cursor
  if (dtypeLength < 0 || dtypeLength > MAX_DTYPE_BYTES || p + dtypeLength > limit) return false
  const storedDtype = headerText.dtype(bytes, p, dtypeLength)
  p += dtypeLength
  const info = dtypeByName(storedDtype)
  if (!info) return false

  if (p >= limit || bytes[p++] !== KEY_CONTENT) return false
  const contentLength = varint(bytes, p, limit)
  p = cursor
  if (contentLength < 0 || base + p + contentLength !== stop) return false
  header.next = stop
  header.storedDtype = storedDtype
  header.info = info
  header.contentOffset = base + p
  header.contentLength = contentLength
  return true
}

const scratch = new CanonicalHeader()

/** `canonicalHeader` as the record value the careful scanner would return, or undefined. */
export function canonicalRecord(
  bytes: Uint8Array,
  at: number,
  limit: number,
  position: number,
  end: number,
  names: HeaderNames
): { next: number; value: RecordValue } | undefined {
  if (!canonicalHeader(bytes, at, limit, position, end, scratch)) return undefined
  return {
    next: scratch.next,
    value: {
      name: names.name(bytes, scratch.nameStart, scratch.nameLength),
      dtype: scratch.info!.name,
      storedDtype: scratch.storedDtype,
      dims: Array.from(scratch.dims.subarray(0, scratch.dimCount)),
      chunk: { offset: scratch.contentOffset, length: scratch.contentLength },
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
