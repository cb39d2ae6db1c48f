import type { ByteSource } from '../../io/byte-source'
import { WindowReader } from '../../io/window-reader'
import { isSafetensorsHeader } from '../safetensors/safetensors-index'
import type { TensorTable } from '../tensor-table'
import { cipherModeOfMagic } from './cipher-modes'
import type { DtypeInfo } from '../dtypes'
import { CanonicalHeader, canonicalHeader } from './ckpt-fast-record'
import { findCrcTrailer, type CrcTrailer } from './crc-trailer'

/** Numbers tensor names from their UTF-8 bytes; `index` is the tensor's place in its file, a hint. */
export interface NameIds {
  id(bytes: Uint8Array, start: number, length: number, index: number): number
}

// Windows when records are small (every byte is read anyway: few, large reads); when the last record was
// large, the next header is read alone: a record header is ~100 bytes, so first 1 KiB (one page of payload at
// most, not two or three), then 8 KiB if it did not fit (longer ones go the careful way).
const WINDOW_BYTES = 1024 * 1024
const LARGE_RECORD_BYTES = 128 * 1024
const HEADER_GUESS_BYTES = 1024
const HEADER_READ_BYTES = 8 * 1024
const FAST_HEADER_BYTES = 4096

/**
 * Indexes a plain `.ckpt` whose records all have MindSpore's usual layout straight into `table`: no object per
 * record, payloads never read. It gives what `indexCkpt` gives for such a file, or undefined wherever that needs
 * the careful path: not a plain `.ckpt`, a record of another layout, chunks of a tensor that disagree, a payload
 * size its dims do not call for. A tag repeated after other records is not looked for (the caller checks
 * `repeatsAName` on tables it has not seen before). `buffer` is reused for the windows.
 */
export async function scanCkptTable(
  source: ByteSource,
  names: NameIds,
  table: TensorTable,
  buffer?: Uint8Array
): Promise<{ crc?: CrcTrailer; buffer: Uint8Array } | undefined> {
  if (source.size === 0) return undefined
  const reader = new WindowReader(source, WINDOW_BYTES, buffer)
  const first = await reader.view(0, 16)
  if (isSafetensorsHeader(first, source.size) || cipherModeOfMagic(first) || first[0] !== 0x0a)
    return undefined
  const crc = await findCrcTrailer(source)
  const end = crc ? crc.coveredBytes : source.size
  const header = new CanonicalHeader()
  const group = new TensorGroup(table)
  table.reset()
  let recordBytes = 0
  for (let pos = 0; pos < end; pos = header.next) {
    const at = reader.locate(pos)
    if (at < 0 || !canonicalHeader(reader.buffered, at, reader.bufferedEnd, pos, end, header)) {
      const wanted = Math.min(FAST_HEADER_BYTES, source.size - pos)
      if (at >= 0 && reader.bufferedEnd - at >= wanted) return undefined
      const alone = recordBytes > LARGE_RECORD_BYTES
      await reader.fill(pos, alone ? HEADER_GUESS_BYTES : WINDOW_BYTES)
      if (!canonicalHeader(reader.buffered, 0, reader.bufferedEnd, pos, end, header)) {
        if (!alone || reader.bufferedEnd >= Math.min(HEADER_READ_BYTES, source.size - pos)) return undefined
        await reader.fill(pos, HEADER_READ_BYTES)
        if (!canonicalHeader(reader.buffered, 0, reader.bufferedEnd, pos, end, header)) return undefined
      }
    }
    recordBytes = header.next - pos
    const name = names.id(reader.buffered, header.nameStart, header.nameLength, group.nextIndex)
    if (!group.add(name, header)) return undefined
  }
  if (!group.finish()) return undefined
  return crc ? { crc, buffer: reader.buffered } : { buffer: reader.buffered }
}

/**
 * The tensor being read: consecutive records with one tag are its chunks. Its shape is derived, and its size
 * checked, as `indexCkpt` does; where that would fail (or warn), `add` and `finish` return false.
 */
class TensorGroup {
  private name = -1
  private storedDtype = ''
  private info: DtypeInfo | undefined
  private readonly dims = new Float64Array(64)
  private dimCount = 0
  private byteLength = 0

  constructor(private readonly table: TensorTable) {}

  /** The place in the file of the tensor that a record of a new tag would start. */
  get nextIndex(): number {
    return this.table.count + (this.name < 0 ? 0 : 1)
  }

  add(name: number, header: CanonicalHeader): boolean {
    if (name === this.name) {
      if (header.storedDtype !== this.storedDtype || !this.sameDims(header)) return false
    } else {
      if (!this.finish()) return false
      this.name = name
      this.storedDtype = header.storedDtype
      this.info = header.info!
      for (let d = 0; d < header.dimCount; d++) this.dims[d] = header.dims[d]!
      this.dimCount = header.dimCount
      this.byteLength = 0
      this.table.open(name, this.info.name)
    }
    this.table.chunk(header.contentOffset, header.contentLength)
    this.byteLength += header.contentLength
    return true
  }

  /** Closes the tensor being read, if any: its shape goes into the table. */
  finish(): boolean {
    if (this.name < 0) return true
    this.name = -1
    const info = this.info!
    const table = this.table
    const legacyScalar = this.dimCount === 1 && this.dims[0] === 0
    if (info.opaque) {
      table.dim(this.byteLength)
    } else if (info.name === 'str') {
      if (this.byteLength % 4 !== 0) return false
      table.dim(this.byteLength / 4)
    } else if (legacyScalar && this.byteLength === 0) {
      table.dim(0)
    } else {
      let elements = 1
      const rank = legacyScalar ? 0 : this.dimCount
      for (let d = 0; d < rank; d++) {
        elements *= this.dims[d]!
        table.dim(this.dims[d]!)
      }
      const expected = elements * info.bytes
      if (!Number.isSafeInteger(expected) || expected !== this.byteLength) return false
    }
    table.close()
    return true
  }

  private sameDims(header: CanonicalHeader): boolean {
    if (header.dimCount !== this.dimCount) return false
    for (let d = 0; d < this.dimCount; d++) if (header.dims[d] !== this.dims[d]) return false
    return true
  }
}
