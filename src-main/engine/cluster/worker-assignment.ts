import { ShardscopeError } from '../errors'
import type { ClusterModel } from './cluster-model'
import { rankPlaces, serversInRankOrder } from './cluster-model'

/** What a destination rank costs and needs, from its plan: the bytes it writes and the source ranks it reads. */
export interface RankLoad {
  rank: number
  bytesWritten: number
  sourceRanks: number[]
}

/** One worker's part of a distributed conversion: the destination ranks it writes. */
export interface WorkerShare {
  index: number
  /** Ascending. */
  ranks: number[]
  /** The server whose ranks these are (rank-table assignment). */
  server?: string
}

/**
 * How the destination ranks are dealt to `count` workers. `rank-table`: one worker per server, writing the ranks
 * that server loads; `balanced`: by bytes to write, largest first, to the least loaded worker. Every worker of a
 * conversion computes the same assignment from the same inputs, so nobody has to coordinate.
 */
export interface WorkerAssignment {
  basis: 'balanced' | 'rank-table'
  count: number
  /** The rank table or hostfile the shares follow (rank-table basis). */
  layout?: string
  shares: WorkerShare[]
}

/** The largest worker count accepted: more workers than this is not a cluster job. */
export const MAX_WORKERS = 65_536

export function checkWorkerCount(count: number, flag = '--workers'): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_WORKERS)
    throw new ShardscopeError(
      'BAD_INPUT',
      `${flag} must be a whole number from 1 to ${MAX_WORKERS}, got ${count}.`
    )
}

/**
 * Deals ranks to workers so that each writes about as many bytes: ranks by size, largest first, each to the
 * worker with the fewest bytes so far (the lowest index on ties). Deterministic for equal inputs.
 */
export function balancedAssignment(loads: readonly RankLoad[], count: number): WorkerAssignment {
  checkWorkerCount(count)
  const totals = new Array<number>(count).fill(0)
  const ranks: number[][] = Array.from({ length: count }, () => [])
  const order = [...loads].sort((a, b) => b.bytesWritten - a.bytesWritten || a.rank - b.rank)
  for (const load of order) {
    let least = 0
    for (let w = 1; w < count; w++) if (totals[w]! < totals[least]!) least = w
    ranks[least]!.push(load.rank)
    totals[least]! += load.bytesWritten
  }
  return {
    basis: 'balanced',
    count,
    shares: ranks.map((r, index) => ({ index, ranks: r.sort((a, b) => a - b) }))
  }
}

/**
 * One worker per server that loads destination ranks, in launch order (by lowest rank): each writes its server's
 * ranks, where that server reads them. `count` must be the number of such servers; parallelism inside a server
 * comes from the worker's threads (`--jobs`), not from more workers.
 */
export function rankTableAssignment(
  model: ClusterModel,
  destinationRanks: readonly number[],
  count: number
): WorkerAssignment {
  checkWorkerCount(count)
  const places = rankPlaces(model)
  const unplaced = destinationRanks.filter((r) => !places.has(r))
  if (unplaced.length > 0)
    throw new ShardscopeError(
      'BAD_INPUT',
      `${model.source.file} places no server for destination ${unplaced.length === 1 ? 'rank' : 'ranks'} ${listRanks(unplaced)}; every destination rank needs a server to be written on.`,
      { file: model.source.file }
    )
  const wanted = new Set(destinationRanks)
  const servers = serversInRankOrder(model)
    .map((server) => ({
      server: server.id,
      ranks: [...new Set(server.devices.map((d) => d.rank).filter((r) => wanted.has(r)))].sort(
        (a, b) => a - b
      )
    }))
    // A rank a table lists twice is written once, on the first server that claims it.
    .map((entry) => ({ ...entry, ranks: entry.ranks.filter((r) => places.get(r)!.server === entry.server) }))
    .filter((entry) => entry.ranks.length > 0)
  if (servers.length !== count)
    throw new ShardscopeError(
      'BAD_INPUT',
      `The destination ranks sit on ${servers.length} server${servers.length === 1 ? '' : 's'} in ${model.source.file}, so a run that follows it has ${servers.length} worker${servers.length === 1 ? '' : 's'} (one per server, each writing its server's ranks on its own threads), not ${count}.`,
      { file: model.source.file }
    )
  return {
    basis: 'rank-table',
    count,
    layout: model.source.file,
    shares: servers.map((entry, index) => ({ index, ranks: entry.ranks, server: entry.server }))
  }
}

/** A share with what it costs: bytes to write and the source rank folders it reads (for staging). */
export interface ShareSummary extends WorkerShare {
  bytesWritten: number
  sourceRanks: number[]
}

export function summarizeShares(assignment: WorkerAssignment, loads: readonly RankLoad[]): ShareSummary[] {
  const byRank = new Map(loads.map((l) => [l.rank, l]))
  return assignment.shares.map((share) => {
    const sources = new Set<number>()
    let bytes = 0
    for (const rank of share.ranks) {
      const load = byRank.get(rank)
      if (!load) continue
      bytes += load.bytesWritten
      for (const s of load.sourceRanks) sources.add(s)
    }
    return { ...share, bytesWritten: bytes, sourceRanks: [...sources].sort((a, b) => a - b) }
  })
}

/** "0-3, 6" for [0, 1, 2, 3, 6]: rank lists stay short in sentences however many ranks there are. */
export function listRanks(ranks: readonly number[]): string {
  const sorted = [...new Set(ranks)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(
      j === i ? `${sorted[i]}` : j === i + 1 ? `${sorted[i]}, ${sorted[j]}` : `${sorted[i]}-${sorted[j]}`
    )
    i = j + 1
  }
  return parts.length === 0 ? 'none' : parts.join(', ')
}

/** Two assignments deal the same ranks to the same workers (what workers' manifests must agree on). */
export function sameAssignment(a: WorkerAssignment, b: WorkerAssignment): boolean {
  return (
    a.basis === b.basis &&
    a.count === b.count &&
    a.shares.length === b.shares.length &&
    a.shares.every(
      (share, i) =>
        share.server === b.shares[i]!.server &&
        share.ranks.length === b.shares[i]!.ranks.length &&
        share.ranks.every((r, k) => r === b.shares[i]!.ranks[k])
    )
  )
}
