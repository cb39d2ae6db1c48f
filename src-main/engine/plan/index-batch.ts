import { isShardscopeError } from '../errors'
import { withCheckpoint, type CheckpointOpenOptions } from '../formats/checkpoint-file'
import type { TensorEntry } from '../formats/tensor-entry'
import { mapLimit } from '../util/map-limit'

/** Rank files one indexing task reads: consecutive ranks, so that neighbours share their record lists. */
export interface IndexBatchJob {
  files: { rank: number; path: string }[]
  open?: CheckpointOpenOptions
}

/**
 * What a batch of rank files holds, as plain data that crosses threads cheaply: each distinct record list once
 * (the ranks of a pipeline stage store the same names, dtypes and shapes), and per file only where its chunks
 * lie. Names are numbered within the batch.
 */
export interface IndexedBatch {
  names: string[]
  lists: BatchRecords[]
  files: BatchFile[]
}

/** A file's tensors in file order, without where they are: the part the ranks of a stage share. */
export interface BatchRecords {
  names: Int32Array
  dtypes: string[]
  /** Tensor i's shape is `dims[shapeStart[i] … shapeStart[i + 1])`. */
  shapeStart: Int32Array
  dims: Float64Array
  /** Tensor i's chunks are `chunkStart[i] … chunkStart[i + 1]` of `chunkLengths` (and of a file's offsets). */
  chunkStart: Int32Array
  chunkLengths: Float64Array
}

export type BatchFile =
  | {
      rank: number
      format: 'ckpt' | 'safetensors'
      hasCrc: boolean
      warnings: string[]
      list: number
      /** File offset of every chunk, in record-list order. */
      offsets: Float64Array
    }
  | { rank: number; error: { code?: string; message: string } }

// Files in flight per thread: hides latency on network file systems, costs nothing on a local disk.
const FILES_IN_FLIGHT = 4

/** Indexes the batch's files (headers only); a file that cannot be read becomes an error entry, not a failure. */
export async function indexBatch(job: IndexBatchJob): Promise<IndexedBatch> {
  const builder = new BatchBuilder()
  const indexed = await mapLimit(job.files, FILES_IN_FLIGHT, async (file) => {
    try {
      return await withCheckpoint(file.path, job.open ?? {}, async (checkpoint) => ({
        rank: file.rank,
        format: checkpoint.format,
        hasCrc: checkpoint.hasCrc,
        warnings: checkpoint.warnings,
        tensors: checkpoint.tensors
      }))
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      return { rank: file.rank, error: { code: err.code, message: err.message } }
    }
  })
  const files = indexed.map((file): BatchFile => {
    if ('error' in file) return file
    const { list, offsets } = builder.add(file.tensors)
    return {
      rank: file.rank,
      format: file.format,
      hasCrc: file.hasCrc,
      warnings: file.warnings,
      list,
      offsets
    }
  })
  return { names: builder.names, lists: builder.lists, files }
}

class BatchBuilder {
  readonly names: string[] = []
  readonly lists: BatchRecords[] = []
  private readonly ids = new Map<string, number>()

  add(tensors: readonly TensorEntry[]): { list: number; offsets: Float64Array } {
    const nameIds = new Int32Array(tensors.length)
    let chunks = 0
    tensors.forEach((t, i) => {
      let id = this.ids.get(t.name)
      if (id === undefined) {
        id = this.names.push(t.name) - 1
        this.ids.set(t.name, id)
      }
      nameIds[i] = id
      chunks += t.chunks.length
    })
    const offsets = new Float64Array(chunks)
    let c = 0
    for (const t of tensors) for (const chunk of t.chunks) offsets[c++] = chunk.offset
    let list = this.lists.findIndex((l) => sameRecords(l, nameIds, tensors))
    if (list < 0) list = this.lists.push(recordsOf(nameIds, tensors)) - 1
    return { list, offsets }
  }
}

function recordsOf(names: Int32Array, tensors: readonly TensorEntry[]): BatchRecords {
  const shapeStart = new Int32Array(tensors.length + 1)
  const chunkStart = new Int32Array(tensors.length + 1)
  tensors.forEach((t, i) => {
    shapeStart[i + 1] = shapeStart[i]! + t.shape.length
    chunkStart[i + 1] = chunkStart[i]! + t.chunks.length
  })
  const dims = new Float64Array(shapeStart[tensors.length]!)
  const chunkLengths = new Float64Array(chunkStart[tensors.length]!)
  tensors.forEach((t, i) => {
    dims.set(t.shape, shapeStart[i]!)
    t.chunks.forEach((chunk, k) => (chunkLengths[chunkStart[i]! + k] = chunk.length))
  })
  return { names, dtypes: tensors.map((t) => t.dtype), shapeStart, dims, chunkStart, chunkLengths }
}

function sameRecords(list: BatchRecords, names: Int32Array, tensors: readonly TensorEntry[]): boolean {
  if (list.names.length !== names.length) return false
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!
    if (list.names[i] !== names[i] || list.dtypes[i] !== t.dtype) return false
    const shape = list.shapeStart[i]!
    if (list.shapeStart[i + 1]! - shape !== t.shape.length) return false
    for (let d = 0; d < t.shape.length; d++) if (list.dims[shape + d] !== t.shape[d]) return false
    const chunk = list.chunkStart[i]!
    if (list.chunkStart[i + 1]! - chunk !== t.chunks.length) return false
    for (let k = 0; k < t.chunks.length; k++)
      if (list.chunkLengths[chunk + k] !== t.chunks[k]!.length) return false
  }
  return true
}
