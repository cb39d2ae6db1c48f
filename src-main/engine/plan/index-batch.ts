import { isMainThread } from 'node:worker_threads'
import { isShardscopeError } from '../errors'
import { withCheckpoint, type CheckpointOpenOptions } from '../formats/checkpoint-file'
import { scanCkptTable } from '../formats/ckpt/ckpt-table-scan'
import { verifyCrcTrailer } from '../formats/ckpt/crc-trailer'
import { TensorTable } from '../formats/tensor-table'
import { BlockingReads, readModeFor, type ReadMode } from '../io/blocking-reads'
import { LocalFileSource } from '../io/local-file'
import { mapLimit } from '../util/map-limit'
import { BatchBuilder } from './batch-builder'

/** Rank files one indexing task reads: consecutive ranks, so that neighbours share their record lists. */
export interface IndexBatchJob {
  files: { rank: number; path: string }[]
  open?: CheckpointOpenOptions
  /** How headers are read; by default, on a worker thread, from the file system of the batch's first file. */
  reads?: ReadMode
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

// Files in flight per thread: hides latency on network file systems (overlapped reads), costs nothing locally.
const FILES_IN_FLIGHT = 4

// Per thread, one window buffer and one table per file in flight, reused batch after batch.
const spareBuffers: Uint8Array[] = []
const spareTables: TensorTable[] = []

/**
 * Indexes the batch's files (headers only); a file that cannot be read becomes an error entry, not a failure.
 * A plain `.ckpt` of MindSpore's usual records goes straight into the batch's arrays; any other file, and any
 * file that path declines, is read the careful way (`openCheckpoint`), which words every error and warning.
 */
export async function indexBatch(job: IndexBatchJob): Promise<IndexedBatch> {
  const builder = new BatchBuilder()
  const open = job.open ?? {}
  // Blocking reads only on a worker thread, where they hold up nobody else (not the app's or CLI's event loop).
  // Asked per file: rank folders may be links onto different file systems, a local disk beside an NFS mount.
  const readsOf = async (path: string): Promise<ReadMode> =>
    job.reads ?? (isMainThread ? 'overlapped' : await readModeFor(path))
  const files = await mapLimit(job.files, FILES_IN_FLIGHT, async (file): Promise<BatchFile> => {
    try {
      const reads = await readsOf(file.path)
      return (await quickly(file, open, reads, builder)) ?? (await carefully(file, open, builder))
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      return { rank: file.rank, error: { code: err.code, message: err.message } }
    }
  })
  return { names: builder.names, lists: builder.lists, files }
}

async function quickly(
  file: IndexBatchJob['files'][number],
  open: CheckpointOpenOptions,
  reads: ReadMode,
  builder: BatchBuilder
): Promise<BatchFile | undefined> {
  const source = await LocalFileSource.open(file.path)
  const headers = reads === 'blocking' ? new BlockingReads(source) : source
  const table = spareTables.pop() ?? new TensorTable()
  let buffer = spareBuffers.pop()
  try {
    let scanned
    try {
      scanned = await scanCkptTable(headers, builder, table, buffer)
    } catch (err) {
      // A read that failed: the careful path reads the file again and says what went wrong.
      if (isShardscopeError(err)) return undefined
      throw err
    }
    if (!scanned) return undefined
    buffer = scanned.buffer
    if (open.verifyCrc && scanned.crc) await verifyCrcTrailer(source, scanned.crc)
    const added = builder.add(table)
    if (!added) return undefined
    return { rank: file.rank, format: 'ckpt', hasCrc: scanned.crc !== undefined, warnings: [], ...added }
  } finally {
    spareTables.push(table)
    if (buffer) spareBuffers.push(buffer)
    await source.close()
  }
}

async function carefully(
  file: IndexBatchJob['files'][number],
  open: CheckpointOpenOptions,
  builder: BatchBuilder
): Promise<BatchFile> {
  return withCheckpoint(file.path, open, async (checkpoint) => ({
    rank: file.rank,
    format: checkpoint.format,
    hasCrc: checkpoint.hasCrc,
    warnings: checkpoint.warnings,
    ...builder.addEntries(checkpoint.tensors)
  }))
}
