import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { isShardscopeError, ShardscopeError } from '../errors'
import { ioError } from '../io/io-error'
import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import { TEMP_SUFFIX } from '../io/byte-sink'
import type { RankPlan, TransformPlan } from '../plan/plan-types'
import {
  MANIFEST_NAME,
  readManifest,
  writeManifest,
  type InputIdentity,
  type Manifest,
  type StrategyIdentity
} from './manifest'
import { errorFromWorker, WorkerPool } from './worker-pool'

export type RankState = 'queued' | 'checking' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled'

export interface RankProgress {
  rank: number
  output: string
  state: RankState
  bytesDone: number
  bytesTotal: number
  paramsDone: number
  paramsTotal: number
}

export interface TransformProgress {
  ranks: RankProgress[]
  bytesDone: number
  bytesTotal: number
  paramsDone: number
  paramsTotal: number
  ranksDone: number
  ranksSkipped: number
  ranksTotal: number
  elapsedSeconds: number
  bytesPerSecond: number
  /** Undefined until there is a rate to extrapolate from. */
  etaSeconds?: number
}

export interface RunOptions {
  /** Destination ranks written in parallel, each on its own worker thread. Default: the machine's cores. */
  jobs?: number
  signal?: AbortSignal
  onProgress?: (progress: TransformProgress) => void
  open?: CheckpointOpenOptions
  /** fsync every output before it gets its final name. */
  durable?: boolean
}

export interface RunSummary {
  outputs: { rank: number; output: string; size: number; sha256: string; skipped: boolean }[]
  manifest: string
  seconds: number
  bytesWritten: number
}

/**
 * Runs a plan: destination ranks in parallel on worker threads, outputs verified against an existing manifest
 * and skipped when they are already right (resume), the manifest updated after each finished rank. Cancelling
 * (the signal) stops workers between slabs and leaves only finished outputs behind.
 */
export async function runTransform(plan: TransformPlan, options: RunOptions = {}): Promise<RunSummary> {
  const errors = plan.problems.filter((p) => p.severity === 'error')
  if (errors.length > 0) {
    throw new ShardscopeError(
      'PLAN_INVALID',
      `The conversion cannot start: ${errors.length} problem${errors.length === 1 ? '' : 's'} must be fixed first (${errors[0]!.message}${errors.length > 1 ? ' …' : ''}).`
    )
  }
  const started = Date.now()
  const destination = plan.destination.folder
  const strategies = {
    source: strategyIdentity(plan.source),
    destination: strategyIdentity(plan.destination)
  }
  const previous = await readManifest(destination)
  const manifest: Manifest = {
    format: 'shardscope-manifest',
    version: 1,
    sourceFolder: plan.source.folder,
    strategies,
    options: { ...plan.options },
    outputs: { ...(previous?.outputs ?? {}) },
    updatedAt: new Date().toISOString()
  }
  const hashes = new Map<number, { planHash: string; sources: InputIdentity[] }>()
  for (const rank of plan.ranks) hashes.set(rank.rank, await rankIdentity(rank, plan, strategies))

  const progress = initialProgress(plan)
  const report = () => {
    const elapsed = (Date.now() - started) / 1000
    progress.elapsedSeconds = elapsed
    progress.bytesDone = progress.ranks.reduce((s, r) => s + (r.state === 'skipped' ? 0 : r.bytesDone), 0)
    progress.paramsDone = progress.ranks.reduce((s, r) => s + r.paramsDone, 0)
    progress.bytesPerSecond = elapsed > 0 ? progress.bytesDone / elapsed : 0
    const remaining = progress.bytesTotal - progress.bytesDone
    progress.etaSeconds = progress.bytesPerSecond > 0 ? remaining / progress.bytesPerSecond : undefined
    options.onProgress?.(structuredClone(progress))
  }
  const byRank = new Map(progress.ranks.map((r) => [r.rank, r]))
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), plan.ranks.length))
  const pool = new WorkerPool(jobs)
  let manifestWrites = Promise.resolve()
  const saveManifest = () =>
    (manifestWrites = manifestWrites.then(() => writeManifest(destination, manifest)))
  const onAbort = () => pool.cancel()
  options.signal?.addEventListener('abort', onAbort)
  let firstError: Error | undefined
  const outputs: RunSummary['outputs'] = []
  try {
    if (options.signal?.aborted) throw cancelled()
    await Promise.all(
      plan.ranks.map(async (rank) => {
        const entry = byRank.get(rank.rank)!
        const identity = hashes.get(rank.rank)!
        const path = join(destination, rank.output)
        try {
          const recorded = manifest.outputs[rank.output]
          if (recorded && recorded.planHash === identity.planHash) {
            entry.state = 'checking'
            const hashed = await pool.run({ type: 'hash', rank: rank.rank, path })
            if (
              hashed.type === 'hashed' &&
              hashed.sha256 === recorded.sha256 &&
              hashed.size === recorded.size
            ) {
              entry.state = 'skipped'
              entry.paramsDone = entry.paramsTotal
              progress.ranksSkipped++
              progress.bytesTotal -= entry.bytesTotal
              outputs.push({
                rank: rank.rank,
                output: rank.output,
                size: recorded.size,
                sha256: recorded.sha256,
                skipped: true
              })
              report()
              return
            }
          }
          delete manifest.outputs[rank.output]
          await unlink(path + TEMP_SUFFIX).catch(() => undefined)
          // Queued until a worker takes it: the first progress message says it is running.
          entry.state = 'queued'
          report()
          const settled = await pool.run(
            {
              type: 'run',
              job: {
                plan: rank,
                destinationFolder: destination,
                options: plan.options,
                open: options.open,
                durable: options.durable === true
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
          entry.state = 'done'
          entry.bytesDone = entry.bytesTotal
          entry.paramsDone = entry.paramsTotal
          progress.ranksDone++
          manifest.outputs[rank.output] = {
            rank: rank.rank,
            size: result.size,
            sha256: result.sha256,
            planHash: identity.planHash,
            sources: identity.sources,
            completedAt: new Date().toISOString()
          }
          outputs.push({
            rank: rank.rank,
            output: rank.output,
            size: result.size,
            sha256: result.sha256,
            skipped: false
          })
          report()
          await saveManifest()
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
    await saveManifest()
    if (options.signal?.aborted) throw cancelled()
    if (firstError) throw firstError
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await manifestWrites.catch(() => undefined)
    await pool.close()
  }
  outputs.sort((a, b) => a.rank - b.rank)
  return {
    outputs,
    manifest: join(destination, MANIFEST_NAME),
    seconds: (Date.now() - started) / 1000,
    bytesWritten: outputs.filter((o) => !o.skipped).reduce((s, o) => s + o.size, 0)
  }
}

function cancelled(): ShardscopeError {
  return new ShardscopeError(
    'CANCELLED',
    'The conversion was cancelled; finished outputs are kept and a re-run resumes from them.'
  )
}

function initialProgress(plan: TransformPlan): TransformProgress {
  const ranks: RankProgress[] = plan.ranks.map((r) => ({
    rank: r.rank,
    output: r.output,
    state: 'queued',
    bytesDone: 0,
    bytesTotal: r.totals.bytesWritten,
    paramsDone: 0,
    paramsTotal: r.params.length
  }))
  return {
    ranks,
    bytesDone: 0,
    bytesTotal: ranks.reduce((s, r) => s + r.bytesTotal, 0),
    paramsDone: 0,
    paramsTotal: ranks.reduce((s, r) => s + r.paramsTotal, 0),
    ranksDone: 0,
    ranksSkipped: 0,
    ranksTotal: ranks.length,
    elapsedSeconds: 0,
    bytesPerSecond: 0
  }
}

function strategyIdentity(side: {
  strategy?: string[]
  strategyHash?: string
}): StrategyIdentity | undefined {
  return side.strategy && side.strategyHash ? { paths: side.strategy, sha256: side.strategyHash } : undefined
}

async function rankIdentity(
  rank: RankPlan,
  plan: TransformPlan,
  strategies: Manifest['strategies']
): Promise<{ planHash: string; sources: InputIdentity[] }> {
  const sources = await Promise.all(
    rank.sources.map(async (s) => {
      try {
        const info = await stat(s.path)
        return { path: s.path, size: info.size, mtimeMs: info.mtimeMs }
      } catch (err) {
        throw ioError(err, s.path, 'read source checkpoint')
      }
    })
  )
  const planHash = createHash('sha256')
    .update(JSON.stringify({ rank, options: plan.options, sources, strategies }))
    .digest('hex')
  return { planHash, sources }
}
