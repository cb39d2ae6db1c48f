import { readdir } from 'node:fs/promises'
import { listRanks, sameAssignment } from '../cluster/worker-assignment'
import { isShardscopeError, ShardscopeError } from '../errors'
import { sameConversion } from '../plan/conversion-identity'
import { checkDestinationAliasing } from '../plan/destination-aliasing'
import { checkDestinationFolder } from '../plan/destination-check'
import type { Problem, TransformPlan } from '../plan/plan-types'
import { DestinationLock, lockHolder } from './destination-lock'
import type { DestinationScope, ManifestShare } from './destination-scope'
import { inspectDestination } from './destination-state'
import { readManifest } from './manifest'
import { prepareDestination } from './prepare-destination'
import { parseWorkerFile, SETUP_LOCK_NAME, workerFileName } from './worker-files'

/** How long a worker waits for another one to finish setting up (it takes milliseconds unless that one died). */
const SETUP_PATIENCE_MS = 60_000

/**
 * The scope of one worker of a distributed conversion: its share's lock (held for the whole run, so two workers
 * with the same i/n exclude each other), its own manifest and progress file, and only its ranks' folders. Workers
 * set up in turn under a short setup lock: each checks that the folder holds nothing but shares of this same
 * conversion, dealt the same way, before it removes its own leftovers and writes its manifest; a second worker
 * then sees the first one's manifest before it touches anything.
 */
export function workerScope(share: ManifestShare): DestinationScope {
  const ranks = new Set(share.ranks)
  const scope: DestinationScope = {
    manifestName: workerFileName('manifest', share.index, share.count),
    lockName: workerFileName('lock', share.index, share.count),
    share,
    ownsRank: (rank) => ranks.has(rank),
    async prepare(plan, runId) {
      const folder = plan.destination.folder
      const setup = await acquirePatiently(folder, runId)
      try {
        const problems = await siblingProblems(plan, share)
        if (problems.length > 0)
          throw new ShardscopeError('PLAN_INVALID', problems[0]!.message, { file: folder })
        return await prepareDestination(plan, runId, scope)
      } finally {
        await setup.release()
      }
    }
  }
  return scope
}

/**
 * What `plan` says about the destination for a worker, before it runs: the folder can be written, it is not the
 * source, and the worker's share of it holds nothing foreign, nothing of another conversion or another dealing.
 */
export async function checkShareDestination(plan: TransformPlan, scope: DestinationScope): Promise<void> {
  const folder = plan.destination.folder
  await checkDestinationFolder(folder, plan.problems)
  const aliasing: Problem[] = []
  await checkDestinationAliasing(plan.source.folder, folder, plan.ranks, aliasing)
  plan.problems.push(...aliasing)
  if (aliasing.length > 0) return
  const inspection = await inspectDestination(plan, { scope })
  plan.destination.state = inspection.state
  plan.problems.push(...inspection.problems)
  if (scope.share) plan.problems.push(...(await siblingProblems(plan, scope.share)))
}

/**
 * Why this worker must not write into the folder beside what is there: a single run writing it now; workers of
 * another worker count; manifests of another conversion, or of this one dealt differently (another rank table).
 */
async function siblingProblems(plan: TransformPlan, share: ManifestShare): Promise<Problem[]> {
  const folder = plan.destination.folder
  const problems: Problem[] = []
  const refuse = (message: string) =>
    problems.push({ severity: 'error', code: 'destination-worker-shares', message, file: folder })
  const me = `worker ${share.index}/${share.count}`
  const single = await lockHolder(folder)
  if (single) refuse(`${single} A worker of a distributed run does not write beside a single run.`)
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return problems
  }
  for (const name of names.sort()) {
    const file = parseWorkerFile(name)
    if (!file || file.kind === 'progress') continue
    const whose = `worker ${file.index}/${file.count}`
    if (file.kind === 'lock') {
      if (file.count === share.count) continue
      const holder = await lockHolder(folder, name)
      if (holder)
        refuse(
          `${holder} That is ${whose} of a run with ${file.count} workers; ${me} belongs to a run with ${share.count}, and the two would deal the ranks differently.`
        )
      continue
    }
    let other
    try {
      other = await readManifest(folder, name)
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      refuse(err.message)
      continue
    }
    if (!other) continue
    if (file.count !== share.count || other.share?.count !== share.count)
      refuse(
        `${folder} holds ${whose}'s share of a run with ${file.count} workers (${name}); ${me} belongs to a run with ${share.count}. One folder holds one distributed run: re-run it with ${file.count} workers, or choose another folder.`
      )
    else if (!other.conversion || !sameConversion(other.conversion, plan.conversion))
      refuse(
        `${folder} holds ${whose}'s share of another conversion (from ${other.sourceFolder}, ${name}); workers of different conversions never share a folder. Choose another folder.`
      )
    else if (!other.share.assignment || !sameAssignment(other.share.assignment, share.assignment))
      refuse(
        `${folder} holds ${whose}'s share dealt differently (${name} gives it ranks ${listRanks(other.share.ranks)}, this run ${listRanks(share.assignment.shares[file.index]?.ranks ?? [])}): the workers were started with different rank tables or options. Start every worker with the same command.`
      )
  }
  return problems
}

async function acquirePatiently(folder: string, runId: string): Promise<DestinationLock> {
  const deadline = Date.now() + SETUP_PATIENCE_MS
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    try {
      return await DestinationLock.acquire(folder, runId, SETUP_LOCK_NAME)
    } catch (err) {
      if (!isShardscopeError(err) || err.code !== 'BUSY' || Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait))
    }
  }
}
