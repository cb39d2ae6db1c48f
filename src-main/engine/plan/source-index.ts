import type { TensorEntry } from '../formats/tensor-entry'
import type { FileIdentity } from '../io/file-identity'
import type { RankFile } from '../model/checkpoint-set'
import type { BatchRecords, IndexedBatch } from './index-batch'
import type { Problem } from './plan-types'

/**
 * What a file holds apart from where: its tensors' names, dtypes, shapes and chunk lengths in file order. The
 * ranks of one pipeline stage store the same, so they share one list and keep only their offsets.
 */
export interface RecordList extends BatchRecords {
  /** Name ids (`SourceIndex.names`), in file order: record order for `.ckpt`, header order for safetensors. */
  names: Int32Array
  byteLengths: Float64Array
  /** Tensors with at least one element. */
  nonEmpty: number
  /** The files that have this list, ascending by rank. */
  ranks: number[]
}

/** One indexed source rank file: where it is, what it was, and where its tensors' chunks lie. */
export interface IndexedFile {
  rank: number
  path: string
  realPath?: string
  size: number
  identity: FileIdentity
  format: 'ckpt' | 'safetensors'
  /** Whether the file carries a CRC-32 (a `.ckpt` trailer, or `crc_num` in safetensors metadata). */
  hasCrc: boolean
  records: RecordList
  /** File offset of every chunk, in `records` order. */
  offsets: Float64Array
}

/**
 * The planner's index of a checkpoint folder's rank files, kept compact: each name once for the folder, each
 * stage's record list once, per file a typed array of offsets (8 bytes a tensor, not an object per tensor).
 * Names are numbered in order of first appearance, by ascending rank and file order.
 */
export class SourceIndex {
  readonly names: string[] = []
  readonly lists: RecordList[] = []
  /** Files that could not be indexed, ascending by rank, with the reader's error. */
  readonly failures: { rank: number; path: string; code?: string; message: string }[] = []
  private readonly ids = new Map<string, number>()
  private readonly byRank = new Map<number, IndexedFile>()
  private readonly listsByHash = new Map<number, RecordList[]>()
  private readonly positions = new Map<RecordList, Int32Array>()

  get size(): number {
    return this.byRank.size
  }

  has(rank: number): boolean {
    return this.byRank.has(rank)
  }

  file(rank: number): IndexedFile | undefined {
    return this.byRank.get(rank)
  }

  /** Every indexed file, ascending by rank. */
  files(): IndexedFile[] {
    return [...this.byRank.values()]
  }

  nameId(name: string): number | undefined {
    return this.ids.get(name)
  }

  /** Where name `id` is in a record list, or -1. */
  position(list: RecordList, id: number): number {
    let table = this.positions.get(list)
    if (!table) {
      table = new Int32Array(this.names.length).fill(-1)
      list.names.forEach((name, i) => (table![name] = i))
      this.positions.set(list, table)
    }
    return id < table.length ? table[id]! : -1
  }

  holds(rank: number, id: number): boolean {
    const file = this.byRank.get(rank)
    return file !== undefined && this.position(file.records, id) >= 0
  }

  /** Tensor `i` of a list: its dtype and shape. */
  shape(list: RecordList, i: number): number[] {
    return Array.from(list.dims.subarray(list.shapeStart[i]!, list.shapeStart[i + 1]!))
  }

  /** A tensor as the executor reads it: name, dtype, shape and the file's byte runs. */
  entry(rank: number, id: number): TensorEntry | undefined {
    const file = this.byRank.get(rank)
    const i = file ? this.position(file.records, id) : -1
    if (!file || i < 0) return undefined
    const list = file.records
    const chunks = []
    for (let c = list.chunkStart[i]!; c < list.chunkStart[i + 1]!; c++)
      chunks.push({ offset: file.offsets[c]!, length: list.chunkLengths[c]! })
    return {
      name: this.names[id]!,
      dtype: list.dtypes[i]!,
      shape: this.shape(list, i),
      byteLength: list.byteLengths[i]!,
      chunks
    }
  }

  /**
   * Adds a batch's files (ascending ranks, after every lower rank's batch), turning problems reading them into
   * problems of the plan: a file that cannot be indexed is an error, its warnings are warnings.
   */
  add(batch: IndexedBatch, folder: ReadonlyMap<number, RankFile>, problems: Problem[]): void {
    const converted = new Map<number, RecordList>()
    for (const file of batch.files) {
      const rankFile = folder.get(file.rank)!
      if ('error' in file) {
        this.failures.push({ rank: file.rank, path: rankFile.path, ...file.error })
        problems.push({
          severity: 'error',
          message: file.error.message,
          file: rankFile.path,
          rank: file.rank
        })
        continue
      }
      for (const message of file.warnings)
        problems.push({ severity: 'warning', message, file: rankFile.path, rank: file.rank })
      let records = converted.get(file.list)
      if (!records) {
        records = this.intern(batch.lists[file.list]!, batch.names)
        converted.set(file.list, records)
      }
      records.ranks.push(file.rank)
      this.byRank.set(file.rank, {
        rank: file.rank,
        path: rankFile.path,
        ...(rankFile.realPath ? { realPath: rankFile.realPath } : {}),
        size: rankFile.size,
        identity: rankFile.identity,
        format: file.format,
        hasCrc: file.hasCrc,
        records,
        offsets: file.offsets
      })
    }
  }

  /** The folder-wide record list equal to a batch's, created if new; names get their ids in list order. */
  private intern(batchList: BatchRecords, batchNames: string[]): RecordList {
    const names = new Int32Array(batchList.names.length)
    let hash = 0x811c9dc5
    batchList.names.forEach((local, i) => {
      const name = batchNames[local]!
      let id = this.ids.get(name)
      if (id === undefined) {
        id = this.names.push(name) - 1
        this.ids.set(name, id)
      }
      names[i] = id
      hash = Math.imul(hash ^ id, 0x01000193)
    })
    for (let c = 0; c < batchList.chunkLengths.length; c++)
      hash = Math.imul(hash ^ batchList.chunkLengths[c]!, 0x01000193)
    const candidates = this.listsByHash.get(hash) ?? []
    const same = candidates.find((l) => sameList(l, names, batchList))
    if (same) return same
    const byteLengths = new Float64Array(names.length)
    let nonEmpty = 0
    for (let i = 0; i < names.length; i++) {
      for (let c = batchList.chunkStart[i]!; c < batchList.chunkStart[i + 1]!; c++)
        byteLengths[i]! += batchList.chunkLengths[c]!
      let elements = 1
      for (let d = batchList.shapeStart[i]!; d < batchList.shapeStart[i + 1]!; d++)
        elements *= batchList.dims[d]!
      if (elements !== 0) nonEmpty++
    }
    const list: RecordList = { ...batchList, names, byteLengths, nonEmpty, ranks: [] }
    this.lists.push(list)
    this.listsByHash.set(hash, [...candidates, list])
    return list
  }
}

function sameList(list: RecordList, names: Int32Array, other: BatchRecords): boolean {
  return (
    equalArrays(list.names, names) &&
    list.dtypes.every((d, i) => d === other.dtypes[i]) &&
    equalArrays(list.shapeStart, other.shapeStart) &&
    equalArrays(list.dims, other.dims) &&
    equalArrays(list.chunkStart, other.chunkStart) &&
    equalArrays(list.chunkLengths, other.chunkLengths)
  )
}

function equalArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
