import { readdir } from 'node:fs/promises'
import { listRanks, sameAssignment, type WorkerAssignment } from '../cluster/worker-assignment'
import { isShardscopeError } from '../errors'
import { sameConversion } from '../plan/conversion-identity'
import { MANIFEST_NAME, readManifest, type Manifest, type ManifestOutput, type ManifestRun } from './manifest'
import { parseWorkerFile } from './worker-files'

/** What merging a folder's worker manifests found, beside the outputs' own checks. */
export interface SharesCheck {
  count: number
  basis?: WorkerAssignment['basis']
  /** Shares whose manifest is in the folder, and those that are not (they may be on other nodes). */
  present: {
    index: number
    ranks: number[]
    server?: string
    manifest: string
    lastRun?: ManifestRun['state']
  }[]
  absent: { index: number; ranks: number[]; server?: string }[]
  /** `--node`: the folder is one node's own destination, so only the shares in it are expected. */
  nodeOnly: boolean
  /** Everything that makes the merged conversion wrong, one sentence each, naming the rank and the worker. */
  problems: string[]
}

export interface MergedShares {
  /** One manifest holding every worker's outputs, for the same re-hashing as a single run's. */
  manifest: Manifest
  check: SharesCheck
}

/**
 * Reads every `shardscope-manifest.worker-<i>-of-<n>.json` in a folder and merges them: all must be of one
 * conversion, one worker count and one dealing of ranks; every destination rank of the shares present must be
 * there exactly once. Which ranks belong in the folder comes from the manifests themselves: each records its
 * share and the whole assignment, so a node's private folder (one share) is checked for that share (`nodeOnly`),
 * and a shared folder for all of them. Undefined when the folder holds no worker manifest.
 */
export async function readWorkerShares(
  folder: string,
  options: { nodeOnly?: boolean } = {}
): Promise<MergedShares | undefined> {
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return undefined
  }
  const found: { name: string; manifest?: Manifest; error?: string }[] = []
  for (const name of names.sort(byWorker)) {
    if (parseWorkerFile(name)?.kind !== 'manifest') continue
    try {
      found.push({ name, manifest: await readManifest(folder, name) })
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      found.push({ name, error: err.message })
    }
  }
  if (found.length === 0) return undefined
  const single = names.includes(MANIFEST_NAME)
  return mergeWorkerManifests(folder, found, { nodeOnly: options.nodeOnly === true, single })
}

export function mergeWorkerManifests(
  folder: string,
  found: { name: string; manifest?: Manifest; error?: string }[],
  options: { nodeOnly: boolean; single: boolean }
): MergedShares {
  const problems: string[] = found.flatMap((f) => (f.error ? [f.error] : []))
  if (options.single)
    problems.push(
      `${folder} holds both a single run's ${MANIFEST_NAME} and worker manifests: two conversions were mixed in one folder.`
    )
  const readable = found.filter((f): f is { name: string; manifest: Manifest } => f.manifest !== undefined)
  const first = readable.find((f) => f.manifest.share?.assignment)
  const assignment = first?.manifest.share?.assignment
  const count = assignment?.count ?? parseWorkerFile(found[0]!.name)!.count
  const present: SharesCheck['present'] = []
  const outputs: Record<string, ManifestOutput> = {}
  const holder = new Map<number, string>()
  for (const { name, manifest } of readable) {
    const file = parseWorkerFile(name)!
    const share = manifest.share
    const who = `worker ${file.index}/${file.count}`
    if (!share || share.index !== file.index || share.count !== file.count || !share.assignment) {
      problems.push(`${name} does not record the share of ${who} it is named after.`)
      continue
    }
    if (first && name !== first.name) {
      const reference = first.manifest
      if (share.count !== count)
        problems.push(
          `${name} is a share of a run with ${share.count} workers, ${first.name} of one with ${count}.`
        )
      else if (
        !manifest.conversion ||
        !reference.conversion ||
        !sameConversion(manifest.conversion, reference.conversion)
      )
        problems.push(
          `${name} and ${first.name} are shares of different conversions; one folder holds one conversion.`
        )
      else if (!sameAssignment(share.assignment, assignment!))
        problems.push(
          `${name} and ${first.name} deal the destination ranks differently (another rank table or worker count).`
        )
    }
    present.push({
      index: share.index,
      ranks: share.ranks,
      ...(share.server !== undefined ? { server: share.server } : {}),
      manifest: name,
      ...(manifest.run ? { lastRun: manifest.run.state } : {})
    })
    const mine = new Set(share.ranks)
    const listed = new Set<number>()
    for (const [output, entry] of Object.entries(manifest.outputs)) {
      const before = holder.get(entry.rank)
      if (before !== undefined)
        problems.push(
          `Destination rank ${entry.rank} is present twice: in ${before}'s share and in ${who}'s (${output}).`
        )
      else holder.set(entry.rank, who)
      if (!mine.has(entry.rank))
        problems.push(
          `${name} lists destination rank ${entry.rank}, which is not in ${who}'s share (ranks ${listRanks(share.ranks)}).`
        )
      listed.add(entry.rank)
      outputs[output] ??= entry
    }
    const missing = share.ranks.filter((r) => !listed.has(r))
    if (missing.length > 0)
      problems.push(
        `Destination ${missing.length === 1 ? 'rank' : 'ranks'} ${listRanks(missing)} of ${who}'s share ${missing.length === 1 ? 'is' : 'are'} missing (its last run ${describeRun(manifest.run?.state)}); re-run ${who} with the same command: it resumes.`
      )
  }
  const absent = (assignment?.shares ?? [])
    .filter((s) => !present.some((p) => p.index === s.index))
    .map((s) => ({ index: s.index, ranks: s.ranks, ...(s.server !== undefined ? { server: s.server } : {}) }))
  if (absent.length > 0 && !options.nodeOnly)
    problems.push(
      `${absent.length === 1 ? 'The share' : 'The shares'} of ${absent.map((s) => `worker ${s.index}/${count}${s.server ? ` (${s.server})` : ''}`).join(', ')} (destination ${absent.length === 1 && absent[0]!.ranks.length === 1 ? 'rank' : 'ranks'} ${listRanks(absent.flatMap((s) => s.ranks))}) ${absent.length === 1 ? 'is' : 'are'} not in this folder. If each node has its own destination folder, verify each node's with --node; otherwise run the missing workers.`
    )
  if (assignment) problems.push(...assignmentProblems(assignment, readable[0]!.manifest.destinationRanks))
  const reference = (first ?? readable[0])?.manifest
  const merged: Manifest = {
    ...(reference ?? {
      format: 'shardscope-manifest',
      version: 2,
      sourceFolder: '',
      strategies: {},
      options: {}
    }),
    outputs,
    run: mergedRun(readable.map((r) => r.manifest))
  } as Manifest
  delete merged.share
  return {
    manifest: merged,
    check: {
      count,
      ...(assignment ? { basis: assignment.basis } : {}),
      present: present.sort((a, b) => a.index - b.index),
      absent,
      nodeOnly: options.nodeOnly,
      problems
    }
  }
}

/** The shares of an assignment cover every destination rank exactly once. */
function assignmentProblems(assignment: WorkerAssignment, destinationRanks: number | undefined): string[] {
  const seen = new Map<number, number>()
  const problems: string[] = []
  for (const share of assignment.shares)
    for (const rank of share.ranks) {
      if (seen.has(rank))
        problems.push(
          `The workers' assignment gives destination rank ${rank} to both worker ${seen.get(rank)} and worker ${share.index}.`
        )
      seen.set(rank, share.index)
    }
  if (destinationRanks !== undefined) {
    const unassigned = Array.from({ length: destinationRanks }, (_, r) => r).filter((r) => !seen.has(r))
    if (unassigned.length > 0)
      problems.push(
        `The workers' assignment leaves destination ${unassigned.length === 1 ? 'rank' : 'ranks'} ${listRanks(unassigned)} to nobody.`
      )
  }
  return problems
}

/** The merged state: complete only when every share's last run completed. */
function mergedRun(manifests: Manifest[]): ManifestRun | undefined {
  const runs = manifests.map((m) => m.run).filter((r): r is ManifestRun => r !== undefined)
  if (runs.length === 0) return undefined
  const order: ManifestRun['state'][] = ['failed', 'cancelled', 'running', 'complete']
  const state = order.find((s) => runs.some((r) => r.state === s))!
  return { ...runs[0]!, state, requested: runs.flatMap((r) => r.requested) }
}

function describeRun(state: ManifestRun['state'] | undefined): string {
  return state === 'running' ? 'did not finish' : state === undefined ? 'is unknown' : `was ${state}`
}

function byWorker(a: string, b: string): number {
  const x = parseWorkerFile(a)
  const y = parseWorkerFile(b)
  return x && y ? x.count - y.count || x.index - y.index : a < b ? -1 : a > b ? 1 : 0
}
