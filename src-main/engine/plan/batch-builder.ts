import type { NameIds } from '../formats/ckpt/ckpt-table-scan'
import type { TensorEntry } from '../formats/tensor-entry'
import { TensorTable } from '../formats/tensor-table'
import type { BatchRecords } from './index-batch'

const textDecoder = new TextDecoder('utf-8', { fatal: false })

interface KnownBytes {
  bytes: Uint8Array
  id: number
}

/**
 * Gathers a batch's files as `IndexedBatch` wants them: each name once (numbered in order of first sight),
 * each distinct record list once, per file only its chunk offsets. Also numbers names straight from header
 * bytes for `scanCkptTable`, comparing them first with the name at the same place of the last file's list,
 * since the ranks of a stage hold the same names in the same order.
 */
export class BatchBuilder implements NameIds {
  readonly names: string[] = []
  readonly lists: BatchRecords[] = []
  private readonly ids = new Map<string, number>()
  // Several byte sequences can decode to one name (invalid UTF-8 becomes U+FFFD), so bytes map to names.
  private readonly byHash = new Map<number, KnownBytes[]>()
  private readonly bytesOfName: DataView[] = []
  // A view of the last buffer `id` was given: the names of a window are numbered one after another.
  private buffer: Uint8Array = new Uint8Array(0)
  private view: DataView = new DataView(this.buffer.buffer)
  private guess: Int32Array = new Int32Array(0)
  private lastList = -1
  private readonly entries = new TensorTable()
  private seen = new Int32Array(0)
  private stamp = 0

  nameId(name: string): number {
    let id = this.ids.get(name)
    if (id === undefined) {
      id = this.names.push(name) - 1
      this.ids.set(name, id)
    }
    return id
  }

  id(bytes: Uint8Array, start: number, length: number, index: number): number {
    if (index < this.guess.length) {
      if (bytes !== this.buffer) {
        this.buffer = bytes
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      }
      const guess = this.guess[index]!
      if (sameName(this.bytesOfName[guess], this.view, start, length)) return guess
    }
    let hash = 0x811c9dc5
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
    const bucket = this.byHash.get(hash)
    if (bucket) for (const known of bucket) if (sameBytes(known.bytes, bytes, start, length)) return known.id
    const copy = bytes.slice(start, start + length)
    const id = this.nameId(textDecoder.decode(copy))
    this.bytesOfName[id] ??= new DataView(copy.buffer)
    const known = { bytes: copy, id }
    if (bucket) bucket.push(known)
    else this.byHash.set(hash, [known])
    return id
  }

  /**
   * Adds a file's table (numbered by this builder); undefined when it names a tensor twice, which the careful
   * path reads as MindSpore does and warns about.
   */
  add(table: TensorTable): { list: number; offsets: Float64Array } | undefined {
    let list = this.lastList
    if (list < 0 || !sameRecords(this.lists[list]!, table))
      list = this.lists.findIndex((l) => sameRecords(l, table))
    if (list < 0) {
      // A list seen before has no name twice: only a new one needs the look.
      if (this.repeatsAName(table)) return undefined
      list = this.lists.push(recordsOf(table)) - 1
    }
    this.lastList = list
    this.guess = this.lists[list]!.names
    return { list, offsets: table.offsets.slice(0, table.chunkCount) }
  }

  /** Adds a file indexed the careful way (its names are distinct). */
  addEntries(tensors: readonly TensorEntry[]): { list: number; offsets: Float64Array } {
    this.entries.fill(tensors, (name) => this.nameId(name))
    return this.add(this.entries)!
  }

  private repeatsAName(table: TensorTable): boolean {
    if (this.seen.length < this.names.length) this.seen = new Int32Array(this.names.length * 2)
    const stamp = ++this.stamp
    for (let i = 0; i < table.count; i++) {
      const name = table.names[i]!
      if (this.seen[name] === stamp) return true
      this.seen[name] = stamp
    }
    return false
  }
}

function recordsOf(table: TensorTable): BatchRecords {
  const count = table.count
  return {
    names: table.names.slice(0, count),
    dtypes: table.dtypes.slice(0, count),
    shapeStart: table.shapeStart.slice(0, count + 1),
    dims: table.dims.slice(0, table.dimCount),
    chunkStart: table.chunkStart.slice(0, count + 1),
    chunkLengths: table.lengths.slice(0, table.chunkCount)
  }
}

function sameRecords(list: BatchRecords, table: TensorTable): boolean {
  const count = table.count
  if (list.names.length !== count || list.dims.length !== table.dimCount) return false
  if (list.chunkLengths.length !== table.chunkCount) return false
  for (let i = 0; i < count; i++) {
    if (list.names[i] !== table.names[i] || list.dtypes[i] !== table.dtypes[i]) return false
    if (list.shapeStart[i + 1] !== table.shapeStart[i + 1]) return false
    if (list.chunkStart[i + 1] !== table.chunkStart[i + 1]) return false
  }
  for (let d = 0; d < table.dimCount; d++) if (list.dims[d] !== table.dims[d]) return false
  for (let c = 0; c < table.chunkCount; c++) if (list.chunkLengths[c] !== table.lengths[c]) return false
  return true
}

/** `sameBytes` four bytes at a time: comparing a name with the guess is most of the cost of numbering it. */
function sameName(known: DataView | undefined, view: DataView, start: number, length: number): boolean {
  if (known === undefined || known.byteLength !== length) return false
  let i = 0
  for (; i + 4 <= length; i += 4) if (known.getUint32(i) !== view.getUint32(start + i)) return false
  for (; i < length; i++) if (known.getUint8(i) !== view.getUint8(start + i)) return false
  return true
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, length: number): boolean {
  if (known.length !== length) return false
  for (let i = 0; i < length; i++) if (known[i] !== bytes[start + i]) return false
  return true
}
