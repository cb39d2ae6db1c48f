import { unlink } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { isShardscopeError, ShardscopeError } from '../errors'
import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import { newWriterTag, publishSealed, tempPathFor } from '../io/byte-sink'
import { ensureDirectory } from '../io/ensure-directory'
import { ioError } from '../io/io-error'
import { outputHashAlgorithms, type OutputHashes } from '../io/output-hashes'
import { checkDestinationAliasing } from '../plan/destination-aliasing'
import type { Problem, TransformPlan } from '../plan/plan-types'
import { outlineOf, recipeText } from '../plan/rank-build'
import { DestinationLock } from './destination-lock'
import { WHOLE_DESTINATION, type DestinationScope } from './destination-scope'
import { recordedComputable, writeManifest, type Manifest, type ManifestRun } from './manifest'
import { rankPlanHash, sourceRecords } from './output-identity'
import { initialProgress, updateTotals, type TransformProgress } from './transform-progress'
import { errorFromWorker, WorkerPool } from './worker-pool'

export type { RankProgress, RankState, TransformProgress } from './transform-progress'

export interface RunOptions {
  /** Destination ranks written in parallel, each on its own worker thread. Default: the machine's cores. */
  jobs?: number
  signal?: AbortSignal
  onProgress?: (progress: TransformProgress) => void
  open?: CheckpointOpenOptions
  /** fsync every output before it gets its final name. */
  durable?: boolean
  /**
   * Compute and record SHA-256 of every output besides the fast hash (`--sha256`): for outputs that must stand
   * against deliberate tampering, at SHA-256's speed (a push to a node records it anyway, while sending).
   */
  sha256?: boolean
  /** The part of the destination this run owns: all of it, or one worker's share (worker-share.ts). */
  scope?: DestinationScope
}

export interface RunOutput {
  rank: number
  output: string
  size: number
  /** What the manifest records for the output (for a skipped one: what it recorded and was checked against). */
  hashes: OutputHashes
  skipped: boolean
  /** Sources whose CRC-32 was checked while this output was made (none for a skipped output). */
  crcVerified: string[]
}

export interface RunSummary {
  outputs: RunOutput[]
  manifest: string
  seconds: number
  bytesWritten: number
  /** Finished outputs the destination's manifest lists now, of the conversion's destination ranks. */
  complete: { done: number; of: number }
}

/**
 * Runs a plan: takes the destination's lock, checks the folder again and prepares it, then writes destination
 * ranks in parallel on worker threads; outputs an existing manifest vouches for are verified and skipped
 * (resume), the manifest is updated after each finished rank. Cancelling (the signal) stops workers between
 * slabs and leaves only finished outputs behind; the manifest then says the run was cancelled.
 */
export async function runTransform(plan: TransformPlan, options: RunOptions = {}): Promise<RunSummary> {
  const errors = plan.problems.filter((p) => p.severity === 'error')
  if (errors.length > 0) {
    throw new ShardscopeError(
      'PLAN_INVALID',
      `The conversion cannot start: ${errors.length} problem${errors.length === 1 ? '' : 's'} must be fixed first (${errors[0]!.message}${errors.length > 1 ? ' …' : ''}).`
    )
  }
  const destination = plan.destination.folder
  // Before creating anything: not even an empty folder may appear inside the source.
  const aliasing: Problem[] = []
  await checkDestinationAliasing(plan.source.folder, destination, plan.ranks, aliasing)
  if (aliasing.length > 0)
    throw new ShardscopeError('PLAN_INVALID', aliasing[0]!.message, { file: destination })
  try {
    await ensureDirectory(destination)
  } catch (err) {
    throw ioError(err, destination, 'create the destination folder')
  }
  const runId = newWriterTag()
  const scope = options.scope ?? WHOLE_DESTINATION
  const lock = await DestinationLock.acquire(destination, runId, scope.lockName)
  try {
    const manifest = await scope.prepare(plan, runId)
    return await runRanks(plan, manifest, runId, options, scope.manifestName)
  } finally {
    await lock.release()
  }
}

async function runRanks(
  plan: TransformPlan,
  manifest: Manifest,
  runId: string,
  options: RunOptions,
  manifestName: string
): Promise<RunSummary> {
  const started = Date.now()
  const destination = plan.destination.folder
  const progress = initialProgress(plan)
  const report = () => {
    updateTotals(progress, started)
    options.onProgress?.(structuredClone(progress))
  }
  const byRank = new Map(progress.ranks.map((r) => [r.rank, r]))
  const hashes = outputHashAlgorithms(options.sha256 === true)
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), plan.ranks.length))
  const pool = new WorkerPool(jobs)
  let manifestWrites = Promise.resolve()
  const saveManifest = () =>
    (manifestWrites = manifestWrites.then(() => writeManifest(destination, manifest, runId, manifestName)))
  const finish = (state: ManifestRun['state']) => {
    manifest.run!.state = state
    return saveManifest()
  }
  const onAbort = () => pool.cancel()
  options.signal?.addEventListener('abort', onAbort)
  let firstError: Error | undefined
  const outputs: RunOutput[] = []
  try {
    if (options.signal?.aborted) throw cancelled(manifest, plan)
    await Promise.all(
      plan.ranks.map(async (rank) => {
        const entry = byRank.get(rank.rank)!
        const planHash = rankPlanHash(rank, plan)
        const path = join(destination, rank.output)
        try {
          const recorded = manifest.outputs[rank.output]
          const recheck = recorded ? recordedComputable(recorded.hashes) : []
          if (recorded && recorded.planHash === planHash && recheck.length > 0) {
            entry.state = 'checking'
            // Every recorded hash is checked; one this run records and the entry lacks is added on the way.
            const algorithms = [...new Set([...recheck, ...hashes])]
            const hashed = await pool.run({ type: 'hash', rank: rank.rank, path, algorithms })
            if (
              hashed.type === 'hashed' &&
              hashed.hashes &&
              hashed.size === recorded.size &&
              recheck.every((algorithm) => hashed.hashes![algorithm] === recorded.hashes[algorithm])
            ) {
              recorded.hashes = { ...hashed.hashes, ...recorded.hashes }
              entry.state = 'skipped'
              entry.paramsDone = entry.paramsTotal
              progress.ranksSkipped++
              progress.bytesTotal -= entry.bytesTotal
              outputs.push({
                rank: rank.rank,
                output: rank.output,
                size: recorded.size,
                hashes: { ...recorded.hashes },
                skipped: true,
                crcVerified: []
              })
              report()
              if (algorithms.length > recheck.length) await saveManifest()
              return
            }
          }
          delete manifest.outputs[rank.output]
          // Queued until a worker takes it: the first progress message says it is running.
          entry.state = 'queued'
          report()
          const settled = await pool.run(
            {
              type: 'run',
              // The worker builds the rank's RankPlan from its outline and its stage's recipe.
              job: {
                outline: outlineOf(rank),
                recipe: recipeText(plan.stages[rank.stage]!),
                destinationFolder: destination,
                options: plan.options,
                open: options.open,
                durable: options.durable === true,
                runId,
                hashes,
                publishLater: true
              }
            },
            (m) => {
              entry.state = 'running'
              entry.bytesDone = m.bytesDone
              entry.paramsDone = m.paramsDone
              report()
            }
          )
          if (settled.type === 'failed') throw errorFromWorker(settled.error)
          if (settled.type !== 'done') throw new Error('unexpected worker reply')
          const result = settled.result
          // Listed before it gets its final name: a crash in between leaves a temporary file (cleaned up by the
          // re-run) and a listed output that is missing (redone), never a complete-looking file nothing vouches for.
          const sealed = tempPathFor(path, runId)
          try {
            manifest.outputs[rank.output] = {
              rank: rank.rank,
              size: result.size,
              hashes: result.hashes,
              planHash,
              sources: sourceRecords(rank, result.crcVerified),
              completedAt: new Date().toISOString()
            }
            await saveManifest()
            await publishSealed(sealed, path)
          } catch (err) {
            delete manifest.outputs[rank.output]
            await saveManifest().catch(() => undefined)
            await unlink(sealed).catch(() => undefined)
            throw err
          }
          entry.state = 'done'
          entry.bytesDone = entry.bytesTotal
          entry.paramsDone = entry.paramsTotal
          progress.ranksDone++
          outputs.push({
            rank: rank.rank,
            output: rank.output,
            size: result.size,
            hashes: result.hashes,
            skipped: false,
            crcVerified: result.crcVerified
          })
          report()
        } catch (err) {
          entry.state = isShardscopeError(err) && err.code === 'CANCELLED' ? 'cancelled' : 'failed'
          report()
          if (
            !firstError &&
            !(isShardscopeError(err) && err.code === 'CANCELLED' && !options.signal?.aborted)
          )
            firstError = err as Error
          // One failed rank (a full disk, a damaged source) stops the others: their outputs would be in vain.
          pool.cancel()
        }
      })
    )
    if (options.signal?.aborted) {
      await finish('cancelled')
      throw cancelled(manifest, plan)
    }
    if (firstError) {
      await finish(isShardscopeError(firstError) && firstError.code === 'CANCELLED' ? 'cancelled' : 'failed')
      throw firstError
    }
    await finish('complete')
  } catch (err) {
    // A run that stopped before any rank settled (cancelled at once) still leaves its state behind.
    if (manifest.run!.state === 'running') await finish('cancelled').catch(() => undefined)
    throw err
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await manifestWrites.catch(() => undefined)
    await pool.close()
  }
  outputs.sort((a, b) => a.rank - b.rank)
  return {
    outputs,
    manifest: join(destination, manifestName),
    seconds: (Date.now() - started) / 1000,
    bytesWritten: outputs.filter((o) => !o.skipped).reduce((s, o) => s + o.size, 0),
    complete: { done: Object.keys(manifest.outputs).length, of: plan.destination.rankCount }
  }
}

function cancelled(manifest: Manifest, plan: TransformPlan): ShardscopeError {
  const done = Object.keys(manifest.outputs).length
  return new ShardscopeError(
    'CANCELLED',
    `The conversion was cancelled with ${done} of ${plan.destination.rankCount} outputs complete; finished outputs are kept and a re-run resumes from them.`
  )
}
