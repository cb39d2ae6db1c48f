import { randomUUID } from 'node:crypto'
import type { PlanParamDetail, PlanRequest, PlanSummary } from '../api/contract'
import { ShardscopeError } from '../engine/errors'
import { paramDetail } from '../engine/plan/param-detail'
import type { TransformPlan } from '../engine/plan/plan-types'
import { errorFromWorker, WorkerPool } from '../engine/exec/worker-pool'
import type { ToWorker } from '../engine/exec/worker-protocol'
import type { CheckpointOpenOptions } from '../engine/formats/checkpoint-file'
import { planOptionsFrom } from './plan-options'

// Plans are kept for previews and runs; old ones are dropped so a long session does not grow without bound.
const KEEP_PLANS = 16

/**
 * Computes plans on a worker thread (planning a big model is real work) and keeps them for preview and runs.
 * The worker's heap is capped: a plan too big for it kills the worker, not the process, and is refused in
 * words. V8 aborts the whole process on some allocations whatever the cap, which is why this runs in an engine
 * process (engine-host/) and not in the process serving the window.
 */
export class PlanStore {
  private readonly plans = new Map<string, TransformPlan>()
  /** Decryption keys stay in main, beside the plan they open sources for; they never go back to the renderer. */
  private readonly opens = new Map<string, CheckpointOpenOptions>()
  private pool?: WorkerPool
  /** Plans are computed one at a time, so a dying worker never strands a queued one. */
  private turn: Promise<unknown> = Promise.resolve()

  constructor(private readonly memoryMb?: number) {}

  async create(request: PlanRequest): Promise<PlanSummary> {
    const { options, open } = planOptionsFrom(request.options)
    const reply = await this.plan({
      type: 'plan',
      rank: -1,
      job: {
        sourceFolder: request.source.folder,
        destinationFolder: request.destination.folder,
        ...(request.source.strategy ? { sourceStrategy: request.source.strategy } : {}),
        ...(request.destination.strategy ? { destinationStrategy: request.destination.strategy } : {}),
        ...(request.options.ranks ? { ranks: request.options.ranks } : {}),
        ...(open ? { open } : {}),
        ...(request.options.overwrite ? { overwrite: true } : {}),
        ...(request.options.verifyCrc ? { verifyCrc: true } : {}),
        options
      }
    })
    if (reply.type === 'failed') throw errorFromWorker(reply.error)
    if (reply.type !== 'planned') throw new Error('unexpected worker reply')
    const planId = randomUUID()
    this.plans.set(planId, reply.plan)
    if (open) this.opens.set(planId, open)
    while (this.plans.size > KEEP_PLANS) {
      const oldest = this.plans.keys().next().value!
      this.plans.delete(oldest)
      this.opens.delete(oldest)
    }
    return summarize(planId, reply.plan)
  }

  private plan(message: ToWorker): ReturnType<WorkerPool['run']> {
    const result = this.turn.then(() => this.planNow(message))
    this.turn = result.catch(() => undefined)
    return result
  }

  /** One planning task; a worker that dies takes its pool with it, and the next plan gets a fresh one. */
  private async planNow(message: ToWorker) {
    this.pool ??= new WorkerPool(1, this.memoryMb ? { maxOldGenerationSizeMb: this.memoryMb } : undefined)
    const pool = this.pool
    try {
      return await pool.run(message)
    } catch (err) {
      if (this.pool === pool) this.pool = undefined
      void pool.close()
      const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
      throw new ShardscopeError(
        'UNSUPPORTED',
        outOfMemory
          ? `Planning this conversion needs more than the planner's ${this.memoryMb} MiB of memory: the strategies describe more than it can lay out. Nothing was written.`
          : `The planner stopped (${(err as Error).message}); it has been restarted, and nothing was written.`,
        { file: message.type === 'plan' ? message.job.sourceFolder : undefined }
      )
    }
  }

  get(planId: string): TransformPlan {
    const plan = this.plans.get(planId)
    if (!plan)
      throw new ShardscopeError('BAD_INPUT', 'That plan is no longer available; plan the conversion again.')
    return plan
  }

  /** How the plan's source files are opened (decryption), for running it. */
  openOptions(planId: string): CheckpointOpenOptions | undefined {
    return this.opens.get(planId)
  }

  /** One parameter of one rank, worked out on demand from the plan: the cost of that parameter alone. */
  param(planId: string, rank: number, name: string): PlanParamDetail {
    return paramDetail(this.get(planId), rank, name)
  }

  async close(): Promise<void> {
    await this.pool?.close()
  }
}

/**
 * What the renderer gets of a plan: per destination rank its totals and source ranks, one flow per (source,
 * destination) pair with the bytes read (from the plan's per-rank totals, not its parameters), the problems,
 * and the parameter names in output order. At 1024 ranks and 20,000 parameters that is about a thousand rank
 * rows, a few thousand flows and the names; the per-parameter detail comes one parameter at a time (`param`).
 */
function summarize(planId: string, plan: TransformPlan): PlanSummary {
  const flows = plan.ranks.flatMap((rank) =>
    rank.sourceRanks.map((source, i) => ({ source, destination: rank.rank, bytes: rank.sourceBytes[i]! }))
  )
  const names = new Set<string>()
  const stages = new Set<number>()
  for (const rank of plan.ranks) {
    if (stages.has(rank.stage)) continue
    stages.add(rank.stage)
    for (const entry of plan.stages[rank.stage]!.entries) names.add(entry.name)
  }
  const params = [...names]
  return {
    planId,
    source: {
      folder: plan.source.folder,
      stageCount: plan.source.stageCount,
      stageDevices: plan.source.stageDevices,
      rankCount: plan.source.stageCount * plan.source.stageDevices
    },
    destination: {
      folder: plan.destination.folder,
      stageCount: plan.destination.stageCount,
      stageDevices: plan.destination.stageDevices,
      rankCount: plan.destination.rankCount
    },
    ranks: plan.ranks.map((r) => ({
      rank: r.rank,
      stage: r.stage,
      output: r.output,
      sourceRanks: r.sourceRanks,
      params: r.paramCount,
      bytesRead: r.totals.bytesRead,
      bytesWritten: r.totals.bytesWritten,
      peakBuffer: r.totals.peakBuffer
    })),
    flows: [...flows.values()],
    problems: plan.problems.map((p) => {
      // The engine names the problems a user interface acts on (an overwrite to confirm) and their files.
      const { code, paths } = p as { code?: string; paths?: string[] }
      return {
        severity: p.severity,
        message: p.message,
        ...(code ? { code } : {}),
        ...(paths ? { paths } : {})
      }
    }),
    params
  }
}
