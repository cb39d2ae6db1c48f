import { dirname, relative } from 'node:path'
import {
  balancedAssignment,
  listRanks,
  rankTableAssignment,
  summarizeShares,
  type RankLoad,
  type ShareSummary,
  type WorkerAssignment
} from '../engine/cluster/worker-assignment'
import type { TransformPlan } from '../engine/plan/plan-types'
import { readClusterLayout } from '../services/cluster/cluster-files'
import { formatBytes, formatTable } from './table'

export const PLAN_WORKER_OPTIONS = {
  workers: { type: 'string' },
  'rank-table': { type: 'string' },
  hostfile: { type: 'string' }
} as const

export interface PlannedWorkers {
  basis: WorkerAssignment['basis']
  count: number
  layout?: string
  shares: (ShareSummary & { sourceFolders: string[] })[]
}

/** The per-rank figures assignment needs, from a plan. */
export function rankLoads(plan: TransformPlan): RankLoad[] {
  return plan.ranks.map((r) => ({
    rank: r.rank,
    bytesWritten: r.totals.bytesWritten,
    sourceRanks: r.sourceRanks
  }))
}

/**
 * The same assignment the workers compute, with each share's bytes to write and the source rank folders it reads:
 * the list a user without shared storage stages onto each server before the run.
 */
export async function planWorkers(
  plan: TransformPlan,
  count: number,
  layout: string | undefined
): Promise<PlannedWorkers> {
  const loads = rankLoads(plan)
  const assignment =
    layout === undefined
      ? balancedAssignment(loads, count)
      : rankTableAssignment(
          await readClusterLayout(layout),
          plan.ranks.map((r) => r.rank),
          count
        )
  const folderOf = new Map<number, string>()
  for (const rank of plan.ranks)
    for (const source of rank.sources)
      folderOf.set(source.rank, relative(plan.source.folder, dirname(source.path)) || '.')
  return {
    basis: assignment.basis,
    count,
    ...(assignment.layout !== undefined ? { layout: assignment.layout } : {}),
    shares: summarizeShares(assignment, loads).map((share) => ({
      ...share,
      sourceFolders: share.sourceRanks.map((r) => folderOf.get(r) ?? `rank_${r}`)
    }))
  }
}

export function formatWorkers(workers: PlannedWorkers, sourceFolder: string): string {
  const how =
    workers.basis === 'balanced'
      ? 'dealt by bytes to write'
      : `one per server, as ${workers.layout} places the ranks`
  const table = formatTable(
    ['worker', 'server', 'destination ranks', 'write', 'source ranks read'],
    workers.shares.map((s) => [
      `${s.index}/${workers.count}`,
      s.server ?? '-',
      listRanks(s.ranks),
      formatBytes(s.bytesWritten),
      listRanks(s.sourceRanks)
    ]),
    [3]
  )
  const staging = workers.shares
    .filter((s) => s.sourceFolders.length > 0)
    .map((s) => `  ${s.server ?? `worker ${s.index}`}: ${s.sourceFolders.join(' ')}`)
    .join('\n')
  return (
    `\nWorkers: ${workers.count}, ${how}\n\n${table}\n` +
    `Source rank folders each ${workers.basis === 'rank-table' ? 'server' : 'worker'} reads (under ${sourceFolder}; stage exactly these where there is no shared storage):\n${staging}\n`
  )
}
