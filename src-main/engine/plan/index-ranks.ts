import { availableParallelism } from 'node:os'
import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import type { CheckpointSet } from '../model/checkpoint-set'
import { errorFromWorker, WorkerPool } from '../exec/worker-pool'
import { indexBatch, type IndexBatchJob, type IndexedBatch } from './index-batch'
import type { Problem } from './plan-types'
import { SourceIndex } from './source-index'

export interface IndexingOptions {
  /** Worker threads to index on; 0 indexes on this thread. Default: the cores, for folders of 16 files or more. */
  threads?: number
}

// Below this many files, starting threads costs more than they save.
const PARALLEL_FROM_FILES = 16
// Batches per thread: enough to even out a slow file, few enough that each batch shares its record lists.
const BATCHES_PER_THREAD = 4
const MAX_BATCH_FILES = 128

/**
 * Indexes the given ranks' files (headers only), in parallel on worker threads for large folders; files are
 * independent, and each thread reads consecutive ranks so that their identical record lists are found at once.
 * A file that cannot be read becomes an error problem (and an entry of `failures`), its warnings warnings.
 */
export async function indexSourceRanks(
  set: CheckpointSet,
  ranks: readonly number[],
  open: CheckpointOpenOptions,
  problems: Problem[],
  options: IndexingOptions = {}
): Promise<SourceIndex> {
  const wanted = new Set(ranks)
  const files = set.ranks.filter((r) => wanted.has(r.rank))
  const threads = Math.min(
    options.threads ?? (files.length >= PARALLEL_FROM_FILES ? availableParallelism() : 0),
    files.length
  )
  const size = Math.min(
    MAX_BATCH_FILES,
    Math.max(1, Math.ceil(files.length / Math.max(1, threads * BATCHES_PER_THREAD)))
  )
  const jobs: IndexBatchJob[] = []
  for (let i = 0; i < files.length; i += size)
    jobs.push({
      files: files.slice(i, i + size).map((f) => ({ rank: f.rank, path: f.path })),
      open
    })
  const batches = threads > 0 ? await inWorkers(jobs, threads) : await inOrder(jobs)
  const index = new SourceIndex()
  const folder = new Map(files.map((f) => [f.rank, f]))
  for (const batch of batches) index.add(batch, folder, problems)
  return index
}

async function inOrder(jobs: IndexBatchJob[]): Promise<IndexedBatch[]> {
  const batches: IndexedBatch[] = []
  for (const job of jobs) batches.push(await indexBatch(job))
  return batches
}

async function inWorkers(jobs: IndexBatchJob[], threads: number): Promise<IndexedBatch[]> {
  const pool = new WorkerPool(threads)
  try {
    return await Promise.all(
      jobs.map(async (job) => {
        const reply = await pool.run({ type: 'index', rank: -1, job })
        if (reply.type === 'failed') throw errorFromWorker(reply.error)
        if (reply.type !== 'indexed') throw new Error('unexpected worker reply')
        return reply.batch
      })
    )
  } finally {
    await pool.close()
  }
}
