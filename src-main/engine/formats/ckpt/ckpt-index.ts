import { ShardscopeError } from '../../errors'
import type { ByteSource } from '../../io/byte-source'
import { WindowReader } from '../../io/window-reader'
import { dtypeByName } from '../dtypes'
import { elementCount, type TensorEntry } from '../tensor-entry'
import { cipherModeOfMagic } from './cipher-modes'
import { canonicalRecord } from './ckpt-fast-record'
import { headerText, type HeaderNames } from './header-text'
import { RecordScanner, type RecordValue } from './ckpt-record-scanner'
import { findCrcTrailer, verifyCrcTrailer, type CrcTrailer } from './crc-trailer'

/** A tensor found in a `.ckpt`, with the record layout details the writer and `inspect` care about. */
export interface CkptTensor extends TensorEntry {
  /** `tensor_type` exactly as stored (`Uint8` in files from MindSpore <= 1.5). */
  storedDtype: string
  /** `dims` exactly as stored: `[0]` for legacy scalars and strings, `[]` for 2.3+ scalars. */
  dims: number[]
  /** File offset of the first record of this tensor. */
  recordOffset: number
  /** `map` for MapParameter records (keys/values/status), which only inspect understands. */
  kind: 'tensor' | 'map'
}

export interface CkptIndex {
  file: string
  size: number
  tensors: CkptTensor[]
  crc?: CrcTrailer
  /** Things a careful user should know that do not stop reading (e.g. a tag repeated later in the file). */
  warnings: string[]
}

export interface CkptIndexOptions {
  /** Recompute the CRC-32 trailer and fail on mismatch (reads the whole file once). */
  verifyCrc?: boolean
}

/**
 * Indexes a `.ckpt` by walking its record headers with positional reads; payload bytes are never read. Works on
 * files of any size with memory proportional to the number of tensors, not their bytes.
 */
export async function indexCkpt(source: ByteSource, options: CkptIndexOptions = {}): Promise<CkptIndex> {
  if (source.size === 0) {
    throw new ShardscopeError(
      'EMPTY_FILE',
      `${source.name} is empty (0 bytes); a checkpoint holds at least one record.`,
      {
        file: source.name
      }
    )
  }
  const reader = new WindowReader(source)
  const first = await reader.view(0, 4)
  const cipher = cipherModeOfMagic(first)
  if (cipher) {
    throw new ShardscopeError(
      'ENCRYPTED',
      `${source.name} is an encrypted checkpoint (${cipher}); give its key (and mode) to read it.`,
      { file: source.name }
    )
  }
  if (first[0] !== 0x0a) {
    throw new ShardscopeError(
      'UNKNOWN_FORMAT',
      `${source.name} is not a MindSpore checkpoint: it starts with byte 0x${hex(first[0]!)} where a checkpoint record (0x0a) is expected.`,
      { file: source.name }
    )
  }

  const crc = await findCrcTrailer(source)
  if (crc && options.verifyCrc) await verifyCrcTrailer(source, crc)
  const end = crc ? crc.coveredBytes : source.size
  const scanner = new RecordScanner(reader, source.name, end)

  // A Map keeps insertion order, and deleting then setting moves a name to the end: the order MindSpore's dict
  // ends up with when a later group of records replaces an earlier one, in constant time per record.
  const byName = new Map<string, CkptTensor>()
  const warnings: string[] = []
  let current: CkptTensor | undefined
  const names = headerText.sequence()
  let recordBytes = 0
  for (let pos = 0; pos < end;) {
    const record =
      canonicalInWindow(reader, pos, end, names) ??
      (await recordAfterMiss(reader, scanner, pos, end, names, recordBytes))
    recordBytes = record.next - pos
    pos = record.next
    if (!record.value) continue
    const value = record.value
    if (current && current.name === value.name) {
      appendChunk(current, value, source.name)
      continue
    }
    if (current) finishTensor(current, source.name)
    current = {
      name: value.name,
      dtype: value.dtype,
      storedDtype: value.storedDtype,
      dims: value.dims,
      shape: [],
      byteLength: value.chunk.length,
      chunks: [value.chunk],
      recordOffset: value.recordOffset,
      kind: value.kind
    }
    if (byName.delete(value.name)) {
      // MindSpore keeps the later group of records for a repeated tag; so do we, and say so.
      warnings.push(
        `Parameter ${value.name} appears twice in ${source.name}; the later copy is used, as MindSpore does.`
      )
    }
    byName.set(value.name, current)
  }
  if (current) finishTensor(current, source.name)
  names.finish()
  const result: CkptIndex = { file: source.name, size: source.size, tensors: [...byName.values()], warnings }
  if (crc) result.crc = crc
  return result
}

// A record header longer than this (a very long name, hundreds of dims) goes the careful way.
const FAST_HEADER_BYTES = 4096
// After a record this large the next header is read alone, not a whole window of the payload after it.
const LARGE_RECORD_BYTES = 64 * 1024
const HEADER_READ_BYTES = 8 * 1024

/** The record at `pos` if it has MindSpore's usual layout and its header is already in the reader's window. */
function canonicalInWindow(reader: WindowReader, pos: number, end: number, names: HeaderNames) {
  const at = reader.locate(pos)
  return at < 0 ? undefined : canonicalRecord(reader.buffered, at, reader.bufferedEnd, pos, end, names)
}

/**
 * The record at `pos` when the window could not serve it: moved to `pos` if the header ran past its end, then
 * parsed again; any other record goes through the careful scanner.
 */
async function recordAfterMiss(
  reader: WindowReader,
  scanner: RecordScanner,
  pos: number,
  end: number,
  names: HeaderNames,
  lastRecordBytes: number
) {
  const wanted = Math.min(FAST_HEADER_BYTES, reader.source.size - pos)
  const at = reader.locate(pos)
  if (at < 0 || reader.bufferedEnd - at < wanted) {
    if (lastRecordBytes > LARGE_RECORD_BYTES) await reader.fill(pos, HEADER_READ_BYTES)
    else await reader.view(pos, wanted)
    const moved = canonicalInWindow(reader, pos, end, names)
    if (moved) return moved
  }
  return scanner.record(pos)
}

/**
 * A scalar as MindSpore <= 2.2 stored it, with `dims=[0]` (2.3+ stores none): its shape is `[]`, but a reader that
 * compares records sees `[0]` in the file.
 */
export function isLegacyScalar(tensor: TensorEntry): tensor is CkptTensor {
  const { kind, dims } = tensor as Partial<CkptTensor>
  return kind === 'tensor' && tensor.shape.length === 0 && dims?.length === 1 && dims[0] === 0
}

function appendChunk(tensor: CkptTensor, value: RecordValue, file: string): void {
  if (value.storedDtype !== tensor.storedDtype || value.dims.join(',') !== tensor.dims.join(',')) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is damaged: the chunks of parameter ${tensor.name} disagree on type or shape (${tensor.storedDtype} [${tensor.dims}] vs ${value.storedDtype} [${value.dims}]).`,
      { file, param: tensor.name }
    )
  }
  tensor.chunks.push(value.chunk)
  tensor.byteLength += value.chunk.length
}

/** Derives the logical shape and checks the payload size against dims × element size. */
function finishTensor(tensor: CkptTensor, file: string): void {
  const info = dtypeByName(tensor.storedDtype)
  if (tensor.kind === 'map') {
    tensor.shape = [...tensor.dims]
    return
  }
  if (!info || info.opaque) {
    // Opaque bytes have no element structure; their shape is their length, so they copy like any 1-D tensor.
    tensor.shape = [tensor.byteLength]
    return
  }
  const legacyScalar = tensor.dims.length === 1 && tensor.dims[0] === 0
  if (info.name === 'str') {
    tensor.shape = [tensor.byteLength / 4]
    if (tensor.byteLength % 4 !== 0) throw sizeMismatch(tensor, file, 'a multiple of 4 bytes (UTF-32 text)')
    return
  }
  if (legacyScalar && tensor.byteLength === 0) {
    tensor.shape = [0]
    return
  }
  tensor.shape = legacyScalar ? [] : [...tensor.dims]
  const elements = elementCount(tensor.shape)
  const expected = elements * info.bytes
  if (!Number.isSafeInteger(expected)) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file}: parameter ${tensor.name} has dims [${tensor.dims.join(', ')}] whose size overflows.`,
      { file, param: tensor.name }
    )
  }
  if (expected !== tensor.byteLength) {
    throw sizeMismatch(tensor, file, `${expected} bytes (${elements} × ${info.bytes}-byte ${info.name})`)
  }
}

function sizeMismatch(tensor: CkptTensor, file: string, expected: string): ShardscopeError {
  return new ShardscopeError(
    'SIZE_MISMATCH',
    `${file}: parameter ${tensor.name} has ${tensor.byteLength} payload bytes, but its dims [${tensor.dims.join(', ')}] call for ${expected}.`,
    { file, param: tensor.name }
  )
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
