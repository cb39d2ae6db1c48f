import type { JobProgress } from '../../../src-main/api/contract'
import { formatBytes, formatDuration } from '../../app/format'
import { STATUS_WORDS, type JobStatus } from './job-status'
import { ProgressBar } from './ProgressBar'

interface OverallProgressProps {
  status: JobStatus
  progress: JobProgress | undefined
  /** Rank count known from the plan before the first progress event. */
  rankCount: number
  seconds?: number
}

const TONE = {
  starting: 'active',
  running: 'active',
  verifying: 'active',
  done: 'good',
  failed: 'bad',
  cancelled: 'muted'
} as const

/** The whole job in one bar and a line of numbers. */
export function OverallProgress({ status, progress, rankCount, seconds }: OverallProgressProps) {
  const finished = status === 'done' || status === 'verifying'
  // Everything skipped on a resume leaves nothing to write: that is complete, not 0 %.
  const fraction = finished
    ? 1
    : progress && progress.bytesTotal > 0
      ? progress.bytesDone / progress.bytesTotal
      : 0
  const moving = status === 'running'
  return (
    <section className="panel overall" aria-label="Overall progress">
      <div className="overall-head">
        <span className={`status-chip ${status}`} data-testid="job-status" data-status={status}>
          {STATUS_WORDS[status]}
        </span>
        <span className="overall-percent">{Math.round(fraction * 100)} %</span>
      </div>
      <ProgressBar
        fraction={fraction}
        label="Overall progress"
        tone={TONE[status]}
        testId="overall-progress"
        large
      />
      <dl className="overall-stats">
        <div>
          <dt>Written</dt>
          <dd>
            {formatBytes(progress?.bytesDone ?? 0)} of {formatBytes(progress?.bytesTotal ?? 0)}
          </dd>
        </div>
        <div>
          <dt>Parameters</dt>
          <dd>
            {(progress?.paramsDone ?? 0).toLocaleString()} of {(progress?.paramsTotal ?? 0).toLocaleString()}
          </dd>
        </div>
        <div>
          <dt>Ranks</dt>
          <dd data-testid="ranks-summary">
            {progress?.ranksDone ?? 0} done
            {(progress?.ranksSkipped ?? 0) > 0 && <>, {progress!.ranksSkipped} already done</>} of{' '}
            {progress?.ranksTotal ?? rankCount}
          </dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>
            {progress && progress.bytesPerSecond > 0 ? `${formatBytes(progress.bytesPerSecond)}/s` : '—'}
          </dd>
        </div>
        <div>
          <dt>{moving ? 'Time left' : 'Time'}</dt>
          <dd>
            {moving
              ? formatDuration(progress?.etaSeconds)
              : formatDuration(seconds ?? progress?.elapsedSeconds)}
          </dd>
        </div>
      </dl>
    </section>
  )
}
