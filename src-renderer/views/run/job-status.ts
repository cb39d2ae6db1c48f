import type { JobView } from '../../store/jobs-slice'

export type JobStatus = 'starting' | 'running' | 'verifying' | 'done' | 'failed' | 'cancelled'

/** Where a job is, from what has been heard of it so far. */
export function jobStatus(job: JobView): JobStatus {
  if (job.result) return 'done'
  if (job.failure) return job.failure.state
  if (job.progress?.state === 'done') return 'verifying'
  return job.progress ? 'running' : 'starting'
}

export const STATUS_WORDS: Record<JobStatus, string> = {
  starting: 'Starting…',
  running: 'Converting',
  verifying: 'Verifying checksums…',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled'
}

export const RANK_STATE_WORDS: Record<string, string> = {
  queued: 'waiting',
  checking: 'checking existing output',
  running: 'writing',
  done: 'done',
  skipped: 'already done',
  failed: 'failed',
  cancelled: 'cancelled'
}
