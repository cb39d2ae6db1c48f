import type { ByteRun } from '../formats/tensor-entry'
import type { CopyReason } from './source-selection'

/**
 * A conversion plan is data: for every destination rank, every parameter, the source tensors (file and byte
 * runs) it is assembled from and where each region lands. The UI previews it, the executor runs it, nothing
 * recomputes it. It is plain JSON, so it crosses worker and process boundaries unchanged.
 */
export interface TransformPlan {
  version: 1
  source: {
    folder: string
    strategy?: string[]
    /** SHA-256 of the strategy's content as parsed (files, merged folders and in-memory sets alike). */
    strategyHash?: string
    stageDevices: number
    stageCount: number
  }
  destination: {
    folder: string
    strategy?: string[]
    strategyHash?: string
    stageDevices: number
    stageCount: number
    rankCount: number
  }
  options: PlanOptions
  ranks: RankPlan[]
  problems: Problem[]
  /** Parameters dropped by the exclude filter. */
  excluded: string[]
}

export interface PlanOptions {
  format: 'ckpt' | 'safetensors'
  /** Cast floating-point tensors to this dtype (e.g. BFloat16); integers are never cast. */
  dtype?: string
  /** Parameters whose names match are left out (e.g. optimizer states for inference). */
  exclude?: string
  /** Append MindSpore's CRC-32 trailer to `.ckpt` outputs. */
  crc: boolean
  prefix: string
}

export interface Problem {
  severity: 'error' | 'warning' | 'note'
  message: string
  file?: string
  param?: string
  rank?: number
}

export interface SourceFileRef {
  rank: number
  path: string
  size: number
  format: 'ckpt' | 'safetensors'
}

export interface RankPlan {
  rank: number
  stage: number
  local: number
  /** Output path relative to the destination folder: `rank_<r>/<prefix><r>.<ext>`. */
  output: string
  /** Global source ranks read from, ascending. */
  sourceRanks: number[]
  sources: SourceFileRef[]
  params: ParamPlan[]
  totals: RankTotals
}

export interface RankTotals {
  /** Tensor bytes read from source files. */
  bytesRead: number
  /** Size of the output file. */
  bytesWritten: number
  filesOpened: number
  /** Largest buffer the executor holds at once for this rank. */
  peakBuffer: number
}

export interface ParamPlan {
  name: string
  action: 'reshard' | 'copy'
  copyReason?: CopyReason
  /** Source dtype, and the dtype written (differs only when casting). */
  dtype: string
  outDtype: string
  /** Shape written for this destination rank. */
  shape: number[]
  /** The parameter's full (unsharded) shape. */
  fullShape: number[]
  /** Where the destination slice lies in the full tensor. */
  offset: number[]
  reads: TensorRead[]
}

/** A box of one source tensor copied into the destination tensor. */
export interface TensorRead {
  /** Index into `RankPlan.sources`. */
  source: number
  /** The source tensor's stored shape and the file byte runs of its payload. */
  shape: number[]
  chunks: ByteRun[]
  /** Region start inside the source tensor, and where it lands inside the destination tensor. */
  from: number[]
  to: number[]
  extent: number[]
  /** The region as contiguous runs of the source payload: how many, and how long each. */
  runCount: number
  runBytes: number
}
