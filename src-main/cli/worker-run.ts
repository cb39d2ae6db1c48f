import { hostname, networkInterfaces } from 'node:os'
import { findOwnServer, type HostIdentity } from '../engine/cluster/own-server'
import {
  balancedAssignment,
  listRanks,
  rankTableAssignment,
  type WorkerAssignment,
  type WorkerShare
} from '../engine/cluster/worker-assignment'
import { isShardscopeError, ShardscopeError } from '../engine/errors'
import type { DestinationScope } from '../engine/exec/destination-scope'
import { workerScope, checkShareDestination } from '../engine/exec/worker-share'
import { WorkerProgressWriter } from '../engine/exec/worker-progress'
import { planConversion, type PlanInput } from '../engine/plan/plan-transform'
import type { TransformPlan } from '../engine/plan/plan-types'
import { describeSide, rankCount } from '../engine/plan/strategy-side'
import { readClusterLayout, readClusterProfile } from '../services/cluster/cluster-files'
import type { CliIO } from './io'
import type { WorkerSlot } from './launcher-env'
import { formatBytes } from './table'

/** The flags that make `transform` one worker of a distributed run, and where it finds its server. */
export const WORKER_OPTIONS = {
  worker: { type: 'string' },
  workers: { type: 'string' },
  'rank-table': { type: 'string' },
  hostfile: { type: 'string' },
  cluster: { type: 'string' }
} as const

export interface WorkerValues {
  'rank-table'?: string
  hostfile?: string
  cluster?: string
  overwrite?: boolean
}

export interface WorkerRun {
  plan: TransformPlan
  scope: DestinationScope
  share: WorkerShare
  assignment: WorkerAssignment
  progress: WorkerProgressWriter
  /** What this worker writes, in one line, for the terminal. */
  summary: string
}

/**
 * Plans one worker's share. With a rank table (or hostfile) the worker finds its own server by host name or
 * address and plans only that server's ranks, so it needs only their source ranks; without one it plans every
 * rank and takes its share of a dealing balanced by bytes to write. Every worker computes the same assignment.
 */
export async function planWorkerShare(
  values: WorkerValues,
  slot: WorkerSlot,
  input: PlanInput,
  io: CliIO
): Promise<WorkerRun> {
  if (values.overwrite)
    throw new ShardscopeError(
      'BAD_INPUT',
      '--overwrite is not for workers: one worker cannot replace what a previous conversion left in other shares. Empty the destination first, or choose a new one.'
    )
  if (input.ranks)
    throw new ShardscopeError(
      'BAD_INPUT',
      '--rank is not for workers: each worker writes the ranks its share holds (see "shardscope plan --workers").'
    )
  const layout = values['rank-table'] ?? values.hostfile
  const folder = input.destinationFolder
  let assignment: WorkerAssignment
  let share: WorkerShare
  let plan: TransformPlan
  let progress: WorkerProgressWriter
  if (layout !== undefined) {
    const model = await readClusterLayout(layout)
    const profile = values.cluster ? await readClusterProfile(values.cluster) : undefined
    const count = rankCount(describeSide(input.destinationStrategy, 'destination strategy'))
    assignment = rankTableAssignment(
      model,
      Array.from({ length: count }, (_, r) => r),
      slot.count
    )
    const server = findOwnServer(model, thisHost(), profile)
    const mine = assignment.shares.find((s) => s.server === server.id)
    if (!mine)
      throw new ShardscopeError(
        'BAD_INPUT',
        `This host is server ${server.id} of ${layout}, which loads none of the ${count} destination ranks; start the workers on the ${slot.count} servers that do (${assignment.shares.map((s) => s.server).join(', ')}).`,
        { file: layout }
      )
    share = mine
    if (share.index !== slot.index)
      io.err(
        `note: this host is ${server.id}, so this process writes share ${share.index}/${slot.count} (the rank table decides, not the launcher's numbering).\n`
      )
    progress = new WorkerProgressWriter(folder, { ...share, count: slot.count })
    progress.planning()
    plan = await planConversion({ ...input, ranks: share.ranks, checkDestination: false })
  } else {
    progress = new WorkerProgressWriter(folder, { index: slot.index, count: slot.count, ranks: [] })
    progress.planning()
    plan = await planConversion({ ...input, checkDestination: false })
    const loads = plan.ranks.map((r) => ({
      rank: r.rank,
      bytesWritten: r.totals.bytesWritten,
      sourceRanks: r.sourceRanks
    }))
    assignment = balancedAssignment(loads, slot.count)
    share = assignment.shares[slot.index]!
    const mine = new Set(share.ranks)
    plan.ranks = plan.ranks.filter((r) => mine.has(r.rank))
    progress.share = { index: share.index, count: slot.count, ranks: share.ranks }
  }
  const scope = workerScope({
    index: share.index,
    count: slot.count,
    ranks: share.ranks,
    ...(share.server !== undefined ? { server: share.server } : {}),
    assignment
  })
  if (plan.problems.every((p) => p.severity !== 'error')) await checkShareDestination(plan, scope)
  const bytes = plan.ranks.reduce((s, r) => s + r.totals.bytesWritten, 0)
  const sources = [...new Set(plan.ranks.flatMap((r) => r.sourceRanks))]
  const summary =
    `worker ${share.index}/${slot.count} writes destination ${share.ranks.length === 1 ? 'rank' : 'ranks'} ${listRanks(share.ranks)}` +
    (share.server !== undefined ? ` (server ${share.server})` : '') +
    ` — ${formatBytes(bytes)}, ${assignment.basis === 'balanced' ? 'dealt by bytes to write' : `as ${layout} places them`}; reads source ranks ${listRanks(sources)}`
  return { plan, scope, share, assignment, progress, summary }
}

/** How a worker's run ended, for its progress file. */
export async function recordWorkerEnd(run: WorkerRun | undefined, err?: unknown): Promise<void> {
  if (!run) return
  if (err === undefined) return run.progress.finish('complete')
  const cancelled = isShardscopeError(err) && err.code === 'CANCELLED'
  // The engine counts the outputs of the whole destination, which one worker does not know: say it per share.
  const { index, count } = run.progress.share
  await run.progress.finish(
    cancelled ? 'cancelled' : 'failed',
    cancelled
      ? `Worker ${index}/${count} was cancelled; the outputs of its share that are complete are kept, and running it again resumes from them.`
      : (err as Error).message
  )
}

function thisHost(): HostIdentity {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal)
    .map((a) => a!.address)
  return { hostname: hostname(), addresses }
}
