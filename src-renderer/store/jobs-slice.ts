import type { StateCreator } from 'zustand'
import type { AppEvent, JobProgress, JobResult, PlanSummary } from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'

export interface JobView {
  jobId: string
  /** The plan this job runs: the Run view lists its ranks before the first progress event, Resume re-runs it. */
  plan?: PlanSummary
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
  handleEvent(event: AppEvent): void
}

export const createJobsSlice: StateCreator<AppState, [], [], JobsSlice> = (set, get) => {
  const launch = async (plan: PlanSummary | undefined) => {
    if (!plan) return
    set({ jobError: undefined })
    try {
      const { jobId } = await client.request('job.start', { planId: plan.planId })
      set({ job: { jobId, plan } })
    } catch (err) {
      set({ jobError: (err as Error).message })
    }
  }

  return {
    startJob: () => launch(get().plan),
    resumeJob: () => launch(get().job?.plan),
    async cancelJob() {
      const job = get().job
      if (job) await client.request('job.cancel', { jobId: job.jobId })
    },
    handleEvent(event) {
      if (event.type !== 'job.progress' && event.type !== 'job.finished' && event.type !== 'job.failed')
        return
      const job = get().job
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
