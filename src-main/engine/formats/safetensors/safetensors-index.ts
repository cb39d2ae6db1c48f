import { ShardscopeError } from '../../errors'
import { readBytes, type ByteSource } from '../../io/byte-source'
import { dtypeBySafetensorsName } from '../dtypes'
import { objectMembersInTextOrder, requireBoundedJson } from '../json-text'
import { elementCount, type TensorEntry } from '../tensor-entry'

/** A tensor found in a safetensors file; its single chunk is an absolute file offset. */
export interface SafetensorsTensor extends TensorEntry {
  /** The header's dtype string exactly as stored (`BF16`; `I8` for an Int4 tensor). */
  storedDtype: string
}

export interface SafetensorsIndex {
  file: string
  size: number
  /** `__metadata__` as stored: `format`, `crc_num`, `remove_redundancy`, Int4 markers, anything else. */
  metadata: Record<string, string>
  /** In header order, which is also data order (the reader enforces contiguity). */
  tensors: SafetensorsTensor[]
}

/** MindSpore's `MAX_HEADER_SIZE` (same as the Hugging Face reader's). */
export const MAX_HEADER_BYTES = 100_000_000
/** The little-endian uint64 header length that opens every safetensors file. */
export const LENGTH_PREFIX_BYTES = 8
export const METADATA_KEY = '__metadata__'
/** The `__metadata__` value MindSpore writes under a tensor's name when that tensor is Int4 (spec §2.3). */
export const INT4_MARKER = 'Int4'
/** Where MindSpore keeps an Int4 tensor's packed bytes. */
export const INT4_STORED_DTYPE = 'I8'

const OPEN_BRACE = 0x7b
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Whether the first bytes of a file look like a safetensors header that fits in a file of `fileSize` bytes. */
export function isSafetensorsHeader(first16Bytes: Uint8Array, fileSize: number): boolean {
  if (first16Bytes.length <= LENGTH_PREFIX_BYTES) return false
  const headerLength = readLengthPrefix(first16Bytes)
  return (
    headerLength >= 2n &&
    headerLength <= BigInt(MAX_HEADER_BYTES) &&
    Number(headerLength) + LENGTH_PREFIX_BYTES <= fileSize &&
    first16Bytes[LENGTH_PREFIX_BYTES] === OPEN_BRACE
  )
}

/**
 * Indexes a safetensors file from its length prefix and JSON header alone, applying MindSpore's reader rules
 * (spec §2.1), which are stricter than Hugging Face's: tensors must be back to back in header order.
 */
export async function indexSafetensors(source: ByteSource): Promise<SafetensorsIndex> {
  const file = source.name
  if (source.size === 0) {
    throw new ShardscopeError('EMPTY_FILE', `${file} is empty (0 bytes); a safetensors file has a header.`, {
      file
    })
  }
  if (source.size < LENGTH_PREFIX_BYTES) {
    throw new ShardscopeError(
      'TRUNCATED',
      `${file} is truncated: it is ${source.size} bytes long, shorter than the 8-byte safetensors header length.`,
      { file }
    )
  }
  const prefix = await readBytes(source, LENGTH_PREFIX_BYTES, 0)
  const declared = readLengthPrefix(prefix)
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is not a valid safetensors file: its header length ${declared} exceeds MindSpore's limit of ${MAX_HEADER_BYTES} bytes.`,
      { file }
    )
  }
  const headerLength = Number(declared)
  const dataStart = LENGTH_PREFIX_BYTES + headerLength
  if (dataStart > source.size) {
    throw new ShardscopeError(
      'TRUNCATED',
      `${file} is truncated: its header claims ${headerLength} bytes, but only ${source.size - LENGTH_PREFIX_BYTES} follow the length prefix.`,
      { file }
    )
  }
  const headerText = decodeHeader(await readBytes(source, headerLength, LENGTH_PREFIX_BYTES), file)
  const header = parseHeaderObject(headerText, file)
  const metadata = readMetadata(header[METADATA_KEY], file)

  const tensors: SafetensorsTensor[] = []
  let expectedStart = 0
  for (const name of tensorNamesInTextOrder(headerText, file)) {
    const entry = readEntry(header[name], name, file)
    const previous = tensors[tensors.length - 1]
    if (entry.start !== expectedStart || entry.end < entry.start) {
      const where = previous
        ? `the previous tensor ${previous.name} ends at ${expectedStart}`
        : 'the first tensor must start at 0'
      throw new ShardscopeError(
        'CORRUPT',
        `${file}: tensor ${name} has data offsets [${entry.start}, ${entry.end}], but ${where}; MindSpore requires tensors stored back to back in header order.`,
        { file, param: name }
      )
    }
    tensors.push(describeTensor(entry, name, metadata, dataStart, file))
    expectedStart = entry.end
  }
  checkDataRegionLength(tensors, source.size - dataStart, dataStart, file)
  return { file, size: source.size, metadata, tensors }
}

function readLengthPrefix(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, LENGTH_PREFIX_BYTES).getBigUint64(0, true)
}

function decodeHeader(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is not a valid safetensors file: its header is not UTF-8 text.`,
      {
        file
      }
    )
  }
}

function parseHeaderObject(text: string, file: string): Record<string, unknown> {
  let parsed: unknown
  requireBoundedJson(text, { file, what: 'a safetensors header' })
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is not a valid safetensors file: its header is not valid JSON (${reason}).`,
      { file }
    )
  }
  if (!isPlainObject(parsed)) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is not a valid safetensors file: its header is JSON but not an object of tensors.`,
      { file }
    )
  }
  return parsed
}

function readMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined) return {}
  const entries = isPlainObject(value) ? Object.entries(value) : undefined
  const bad = entries ? entries.find(([, v]) => typeof v !== 'string') : undefined
  if (!entries || bad) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file}: ${METADATA_KEY} must map names to strings, but ${bad ? `key "${bad[0]}" holds a ${typeof bad[1]}` : 'it is not an object'}.`,
      { file }
    )
  }
  // fromEntries defines own properties, so a key like "__proto__" stays data rather than becoming a prototype.
  return Object.fromEntries(entries as [string, string][])
}

/**
 * Tensor names in the order the header text lists them. JSON.parse cannot tell us: JavaScript objects enumerate
 * integer-like keys ("0", "17") first, in numeric order, whatever the text says, and MindSpore checks contiguity in
 * text order (it parses into an OrderedDict).
 */
function tensorNamesInTextOrder(text: string, file: string): string[] {
  const names: string[] = []
  const seen = new Set<string>()
  for (const { key } of objectMembersInTextOrder(text)) {
    if (seen.has(key)) {
      throw new ShardscopeError(
        'CORRUPT',
        `${file}: ${key === METADATA_KEY ? METADATA_KEY : `tensor ${key}`} appears twice in the header, so it is ambiguous which entry counts.`,
        key === METADATA_KEY ? { file } : { file, param: key }
      )
    }
    seen.add(key)
    if (key !== METADATA_KEY) names.push(key)
  }
  return names
}

interface HeaderEntry {
  storedDtype: string
  shape: number[]
  start: number
  end: number
}

function readEntry(value: unknown, name: string, file: string): HeaderEntry {
  const fail = (what: string) =>
    new ShardscopeError('CORRUPT', `${file}: the header entry of tensor ${name} ${what}.`, {
      file,
      param: name
    })
  if (!isPlainObject(value)) throw fail('is not an object with dtype, shape and data_offsets')
  const { dtype, shape, data_offsets: offsets } = value
  if (typeof dtype !== 'string') throw fail('has no dtype string')
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fail('has a shape that is not a list of non-negative integers')
  }
  const [start, end, ...extra] = Array.isArray(offsets) ? (offsets as unknown[]) : []
  if (!isCount(start) || !isCount(end) || extra.length > 0) {
    throw fail('has data_offsets that are not two non-negative integers')
  }
  return { storedDtype: dtype, shape, start, end }
}

function describeTensor(
  entry: HeaderEntry,
  name: string,
  metadata: Record<string, string>,
  dataStart: number,
  file: string
): SafetensorsTensor {
  const info = dtypeBySafetensorsName(entry.storedDtype)
  if (!info) {
    throw new ShardscopeError(
      'UNKNOWN_DTYPE',
      `${file}: tensor ${name} has dtype "${printable(entry.storedDtype)}", which MindSpore's safetensors reader does not know (it knows ${SUPPORTED_DTYPES}).`,
      { file, param: name }
    )
  }
  const isInt4 = Object.hasOwn(metadata, name) && metadata[name] === INT4_MARKER
  if (isInt4 && entry.storedDtype !== INT4_STORED_DTYPE) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file}: tensor ${name} is marked ${INT4_MARKER} in ${METADATA_KEY} but stored as ${entry.storedDtype}, where MindSpore stores Int4 as packed ${INT4_STORED_DTYPE}.`,
      { file, param: name }
    )
  }
  const elements = elementCount(entry.shape)
  const expected = elements * info.bytes
  if (!Number.isSafeInteger(expected)) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file}: tensor ${name} has shape [${entry.shape.join(', ')}] whose size overflows.`,
      { file, param: name }
    )
  }
  const byteLength = entry.end - entry.start
  if (byteLength !== expected) {
    throw new ShardscopeError(
      'SIZE_MISMATCH',
      `${file}: tensor ${name} spans ${byteLength} bytes, but its shape [${entry.shape.join(', ')}] calls for ${expected} (${elements} × ${info.bytes}-byte ${entry.storedDtype}).`,
      { file, param: name }
    )
  }
  return {
    name,
    dtype: isInt4 ? INT4_MARKER : info.name,
    storedDtype: entry.storedDtype,
    shape: entry.shape,
    byteLength,
    chunks: [{ offset: dataStart + entry.start, length: byteLength }]
  }
}

/** MindSpore requires `8 + N + last_end == file size`: no missing and no trailing bytes. */
function checkDataRegionLength(
  tensors: SafetensorsTensor[],
  available: number,
  dataStart: number,
  file: string
): void {
  const last = tensors[tensors.length - 1]
  const needed = last ? last.chunks[0]!.offset + last.byteLength - dataStart : 0
  if (needed > available) {
    const endOf = (t: SafetensorsTensor) => t.chunks[0]!.offset + t.byteLength
    const cut = tensors.find((t) => endOf(t) > dataStart + available)!
    throw new ShardscopeError(
      'TRUNCATED',
      `${file} is truncated: tensor ${cut.name} needs data up to offset ${endOf(cut)}, but the file ends at ${dataStart + available}.`,
      { file, param: cut.name }
    )
  }
  if (needed < available) {
    const after = last ? `after the last tensor ${last.name}` : 'after a header that lists no tensors'
    throw new ShardscopeError(
      'CORRUPT',
      `${file} has ${plural(available - needed, 'unexpected byte')} ${after}; MindSpore requires the data to end exactly where the file does.`,
      last ? { file, param: last.name } : { file }
    )
  }
}

const SUPPORTED_DTYPES = 'BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)
}
