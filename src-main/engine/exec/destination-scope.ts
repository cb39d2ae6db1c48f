import type { WorkerAssignment } from '../cluster/worker-assignment'
import type { TransformPlan } from '../plan/plan-types'
import { LOCK_NAME } from './destination-lock'
import { MANIFEST_NAME, type Manifest } from './manifest'
import { prepareDestination } from './prepare-destination'

/** What a worker's manifest records about its part of a distributed conversion. */
export interface ManifestShare {
  index: number
  count: number
  /** The destination ranks this worker writes, ascending. */
  ranks: number[]
  /** The server whose ranks these are (rank-table assignment). */
  server?: string
  /** Every worker's share as this worker computed it: all workers of one conversion must agree. */
  assignment: WorkerAssignment
}

/**
 * The part of a destination folder one run owns. A single run owns the whole folder (its manifest
 * `shardscope-manifest.json`, its lock `.shardscope.lock`). A worker of a distributed run owns only its share: its
 * manifest, lock and progress file carry `worker-<i>-of-<n>`, and of the `rank_N/` folders only those of its
 * ranks, so workers sharing one folder never touch each other's files.
 */
export interface DestinationScope {
  manifestName: string
  lockName: string
  share?: ManifestShare
  ownsRank(rank: number): boolean
  /** Under the scope's lock: checks the folder again and writes the manifest the run starts from. */
  prepare(plan: TransformPlan, runId: string): Promise<Manifest>
}

export const WHOLE_DESTINATION: DestinationScope = {
  manifestName: MANIFEST_NAME,
  lockName: LOCK_NAME,
  ownsRank: () => true,
  prepare: (plan, runId) => prepareDestination(plan, runId)
}
