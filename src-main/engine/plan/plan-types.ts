import type { ByteRun } from '../formats/tensor-entry'
import type { FileIdentity } from '../io/file-identity'
import type { ShardLayout } from '../layout/shard-layout'

export type CopyReason = 'not-in-source-strategy' | 'not-in-destination-strategy' | 'not-in-any-strategy'

/**
 * A conversion plan is data: for every destination rank its source files, totals and the choices that fix
 * where every byte comes from; for every destination stage the parameters in output order with their layouts.
 * From the two, the rank's full RankPlan (every parameter's source tensors, byte runs and where each region
 * lands) is built where it runs, one rank at a time (`rank-plan.ts`), so a plan of a thousand ranks and twenty
 * thousand parameters stays small. It is plain JSON, so it crosses worker and process boundaries unchanged.
 */
export interface TransformPlan {
  version: 2
  /** What makes two plans "the same conversion" (resume) rather than another one (refuse or overwrite). */
  conversion: ConversionIdentity
  source: {
    folder: string
    /** The folder's real path when it is reached through a symbolic link. */
    realFolder?: string
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
    /** Whether a previous conversion in the folder may be replaced (its outputs deleted first). */
    overwrite: boolean
    /** What the folder held when planned; the run looks again under its lock. */
    state?: DestinationState
  }
  options: PlanOptions
  ranks: RankOutline[]
  /** Indexed by destination stage: what the stage's ranks are built from (null for a stage no rank is planned in). */
  stages: (StageRecipe | null)[]
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
  /** For problems a user interface acts on (a confirmation to overwrite, a busy destination …). */
  code?: ProblemCode
  /** The files concerned, e.g. the outputs `overwrite` would delete (relative to the destination). */
  paths?: string[]
}

export type ProblemCode =
  | 'destination-aliases-source'
  | 'destination-not-empty'
  | 'destination-other-conversion'
  | 'destination-overwrite'
  | 'destination-resume'
  | 'destination-busy'
  | 'destination-manifest-damaged'
  /** A single run's folder for a worker, or a distributed conversion's folder for a single run. */
  | 'destination-worker-shares'
  | 'rank-out-of-range'

/**
 * `resume`: a manifest of this same conversion (finished outputs are verified and skipped); `other-conversion`:
 * a manifest of another one (refused unless `overwrite`); `unusable`: entries that are not Shardscope's.
 */
export interface DestinationState {
  kind: 'new' | 'empty' | 'resume' | 'other-conversion' | 'unusable'
  /** Files of a previous conversion that `overwrite` deletes, relative to the destination. */
  replaces: string[]
  /** Entries no Shardscope conversion wrote (they are never deleted), relative to the destination. */
  foreign: string[]
  /** Finished outputs of this conversion already there (resume). */
  done: string[]
  previous?: { sourceFolder: string; updatedAt: string; outputs: number }
}

/** The conversion recipe and the source checkpoint it reads, as far as both decide what the outputs hold. */
export interface ConversionIdentity {
  /** SHA-256 of both strategies' content, the output options and the destination rank count. */
  recipe: string
  /** Every rank file of the source folder as scanned: file name, size and modification time. */
  sourceFiles: Record<string, { file: string; size: number; mtimeMs: number }>
}

/**
 * `during-run`: the rank reads every tensor of the file anyway, so its CRC-32 is checked on the bytes read;
 * `requested`: checked because the user asked (`--verify-crc`), reading what the rank does not; `not-checked`:
 * the file has a CRC that this run does not check; `none`: the file carries no CRC.
 */
export type CrcCheck = 'during-run' | 'requested' | 'not-checked' | 'none'

export interface SourceFileRef {
  rank: number
  path: string
  /** The real path when a symbolic link (rank folder or file) leads elsewhere. */
  realPath?: string
  size: number
  format: 'ckpt' | 'safetensors'
  /** The file as planned from; the run refuses a file that is no longer this one. */
  identity: FileIdentity
  crc: CrcCheck
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

/**
 * One destination rank as the plan keeps it: everything of its RankPlan but the per-parameter reads, and the
 * choices that, with its stage's recipe and its sources' headers, give those reads back exactly.
 */
export interface RankOutline extends Omit<RankPlan, 'params'> {
  paramCount: number
  /** Tensor bytes read from each source, aligned with `sources`. */
  sourceBytes: number[]
  /** Per tied entry of the stage recipe (a reshard with several source stages), in entry order: the stage read. */
  tiedStages: number[]
  /** Per copy entry of the stage recipe, in entry order: the source rank copied from. */
  copyRanks: number[]
  /** Copies whose stored tensor is not what the recipe expects (a file holding it outside its layout's stage). */
  copyEntries?: Record<number, { dtype: string; shape: number[] }>
}

/** A plan whose ranks carry their full RankPlans too: what `planTransform` returns, for small plans and tests. */
export interface ExpandedPlan extends TransformPlan {
  ranks: (RankOutline & RankPlan)[]
}

/**
 * What every rank of one destination stage is built from: its parameters in output (record) order. Parameters
 * with the same destination layout, full shape and source layouts share a layout class, whose overlaps are
 * worked out once per rank, not once per parameter.
 */
export interface StageRecipe {
  stage: number
  sourceStageDevices: number
  entries: RecipeEntry[]
  classes: LayoutClass[]
}

export interface RecipeBase {
  name: string
  dtype: string
  fullShape: number[]
  /** Position in model order: selection visits tied parameters and copies in this order. */
  model: number
}

export type RecipeEntry = ReshardEntry | CopyEntry

export interface ReshardEntry extends RecipeBase {
  class: number
}

export interface CopyEntry extends RecipeBase {
  copy: CopyReason
  /** The stored shape per source stage, for parameters the source strategy slices (else: `fullShape`). */
  stored?: Record<number, number[]>
}

export interface LayoutClass {
  fullShape: number[]
  destination: ShardLayout
  /** One per source stage that holds such parameters; several for tied parameters. */
  sources: { stage: number; layout: ShardLayout }[]
}
