import { randomUUID } from 'node:crypto'
import type { AppEvent, JobProgress } from '../api/contract'
import { isShardscopeError, ShardscopeError } from '../engine/errors'
import { runTransform, type TransformProgress } from '../engine/exec/run-transform'
import { verifyOutputs } from '../engine/exec/verify-outputs'
import type { CheckpointOpenOptions } from '../engine/formats/checkpoint-file'
import type { TransformPlan } from '../engine/plan/plan-types'

// Progress reaches the UI at most this often; workers report more often than anyone can read.
const EVENT_INTERVAL_MS = 150

/** Runs conversions in the background (on the engine's worker threads) and reports them as events. */
export class JobRunner {
  private readonly running = new Map<string, AbortController>()

  constructor(private readonly emit: (event: AppEvent) => void) {}

  start(
    plan: TransformPlan,
    jobs?: number,
    run: { durable?: boolean; sha256?: boolean; open?: CheckpointOpenOptions } = {}
  ): string {
    if (plan.problems.some((p) => p.severity === 'error')) {
      throw new ShardscopeError(
        'PLAN_INVALID',
        'This plan has problems that must be fixed before it can run.'
      )
    }
    const jobId = randomUUID()
    const controller = new AbortController()
    this.running.set(jobId, controller)
    let last = 0
    let latest: TransformProgress | undefined
    const send = (progress: TransformProgress, state: JobProgress['state']) =>
      this.emit({ type: 'job.progress', progress: { ...progress, jobId, state } })
    void runTransform(plan, {
      ...(jobs !== undefined ? { jobs } : {}),
      ...(run.durable ? { durable: true } : {}),
      ...(run.sha256 ? { sha256: true } : {}),
      ...(run.open ? { open: run.open } : {}),
      signal: controller.signal,
      onProgress: (progress) => {
        latest = progress
        const now = Date.now()
        if (now - last < EVENT_INTERVAL_MS) return
        last = now
        send(progress, 'running')
      }
    })
      .then(async (summary) => {
        if (latest) send(latest, 'done')
        const checks = await verifyOutputs(plan.destination.folder)
        const mine = new Set(summary.outputs.map((o) => o.output))
        this.emit({
          type: 'job.finished',
          result: {
            jobId,
            destination: plan.destination.folder,
            manifest: summary.manifest,
            seconds: summary.seconds,
            outputs: summary.outputs,
            verified: checks.filter((c) => mine.has(c.output)).every((c) => c.status === 'ok')
          }
        })
      })
      .catch((err: unknown) => {
        const cancelled = isShardscopeError(err) && err.code === 'CANCELLED'
        if (latest) send(latest, cancelled ? 'cancelled' : 'failed')
        const message = isShardscopeError(err) ? err.message : `internal error: ${(err as Error).message}`
        this.emit({ type: 'job.failed', jobId, state: cancelled ? 'cancelled' : 'failed', message })
      })
      .finally(() => this.running.delete(jobId))
    return jobId
  }

  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId)
    controller?.abort()
    return controller !== undefined
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort()
  }
}
