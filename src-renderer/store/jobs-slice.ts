import type { StateCreator } from 'zustand'
import type {
  AppEvent,
  JobProgress,
  JobResult,
  PlanRequest,
  PlanSummary,
  RunOptions
} from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'
import { runOptionsOf } from './plan-request'

export interface JobView {
  jobId: string
  /** The plan this job runs: the Run view lists its ranks before the first progress event, Resume re-runs it. */
  plan?: PlanSummary
  /** What the plan was made from: "Open result" pairs the output with its destination strategy. */
  request?: PlanRequest
  run?: RunOptions
  progress?: JobProgress
  result?: JobResult
  failure?: { state: 'failed' | 'cancelled'; message: string }
}

export interface JobsSlice {
  job?: JobView
  jobError?: string
  startJob(): Promise<void>
  cancelJob(): Promise<void>
  /** Starts the current job's plan again; finished outputs are verified and skipped. */
  resumeJob(): Promise<void>
  /** Opens the converted folder and its destination strategy, paired, and shows the folder. */
  openResult(): Promise<void>
  handleEvent(event: AppEvent): void
}

export const createJobsSlice: StateCreator<AppState, [], [], JobsSlice> = (set, get) => {
  const launch = async (job: Omit<JobView, 'jobId'> | undefined) => {
    if (!job?.plan) return
    set({ jobError: undefined })
    try {
      const { jobId } = await client.request('job.start', { planId: job.plan.planId, ...job.run })
      set({ job: { ...job, jobId } })
    } catch (err) {
      set({ jobError: (err as Error).message })
    }
  }

  return {
    startJob: () => {
      const { plan, plannedRequest, planRequest } = get()
      return launch(plan && { plan, request: plannedRequest, run: runOptionsOf(planRequest) })
    },
    resumeJob: () => {
      const job = get().job
      return launch(job && { plan: job.plan, request: job.request, run: job.run })
    },
    async cancelJob() {
      const job = get().job
      if (job) await client.request('job.cancel', { jobId: job.jobId })
    },
    async openResult() {
      const job = get().job
      if (!job?.result) return
      const folder = job.result.destination
      const strategy = job.request?.destination.strategy
      await get().openPaths(strategy ? [strategy, folder] : [folder])
      if (strategy && get().items.some((i) => i.path === folder && i.opened.ok))
        await get().pair(strategy, folder)
      get().setView('folder')
    },
    handleEvent(event) {
      if (event.type !== 'job.progress' && event.type !== 'job.finished' && event.type !== 'job.failed')
        return
      const job = get().job
      if (event.type !== 'job.progress' && event.type !== 'job.finished' && event.type !== 'job.failed')
        return
      const jobId =
        event.type === 'job.progress'
          ? event.progress.jobId
          : event.type === 'job.finished'
            ? event.result.jobId
            : event.jobId
      if (!job || job.jobId !== jobId) return
      if (event.type === 'job.progress') set({ job: { ...job, progress: event.progress } })
      else if (event.type === 'job.finished') set({ job: { ...job, result: event.result } })
      else set({ job: { ...job, failure: { state: event.state, message: event.message } } })
    }
  }
}
