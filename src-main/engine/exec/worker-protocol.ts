import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import type { HashAlgorithm, OutputHashes } from '../io/output-hashes'
import type { IndexBatchJob, IndexedBatch } from '../plan/index-batch'
import type { PlanOptions, TransformPlan } from '../plan/plan-types'
import type { OutlinedRankJob } from '../plan/rank-build'
import type { RankResult } from './execute-rank'

/** A plan to compute off the main thread: strategies by path, read by the worker. */
export interface PlanJob {
  sourceFolder: string
  destinationFolder: string
  sourceStrategy?: string
  destinationStrategy?: string
  ranks?: number[]
  options: PlanOptions
  open?: CheckpointOpenOptions
  /** Replace a previous conversion in the destination (see PlanInput.overwrite). */
  overwrite?: boolean
  verifyCrc?: boolean
}

/** Messages between the executor's main side and its worker threads; plain data only. */
export type ToWorker =
  | { type: 'run'; job: OutlinedRankJob }
  | { type: 'hash'; rank: number; path: string; algorithms: HashAlgorithm[] }
  | { type: 'plan'; rank: number; job: PlanJob }
  | { type: 'index'; rank: number; job: IndexBatchJob }

export type FromWorker =
  | { type: 'progress'; rank: number; bytesDone: number; paramsDone: number }
  | { type: 'done'; result: RankResult }
  /** `hashes` is absent when the file does not exist or hashing was cancelled. */
  | { type: 'hashed'; rank: number; exists: boolean; size: number; hashes?: OutputHashes }
  | { type: 'planned'; rank: number; plan: TransformPlan }
  | { type: 'indexed'; rank: number; batch: IndexedBatch }
  | { type: 'failed'; rank: number; error: WorkerError }

export interface WorkerError {
  /** Present for engine errors (a sentence for users); absent for bugs. */
  code?: string
  message: string
  file?: string
  param?: string
  rank?: number
}

export interface WorkerData {
  /** A SharedArrayBuffer of one Int32: non-zero asks the worker to stop between slabs. */
  cancel: SharedArrayBuffer
  /** With the TypeScript sources (tests, CLI via tsx): the module the bootstrap loads. */
  entry?: string
}
