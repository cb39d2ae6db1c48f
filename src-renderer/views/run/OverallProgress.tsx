import type { JobProgress } from '../../../src-main/api/contract'
import { formatBytes, formatDuration, plural } from '../../app/format'
import { STATUS_WORDS, type JobStatus } from './job-status'
import { keptOutputs, type KeptOutputs } from './kept-outputs'

interface OverallProgressProps {
  status: JobStatus
  progress: JobProgress | undefined
  /** Ranks known from the plan before the first progress event. */
  ranks: JobProgress['ranks']
  seconds?: number
}

/**
 * The whole job in one bar and a line of numbers. The solid part of the bar is complete outputs, the only
 * bytes that are kept if the run stops; the light part is being written and is lost on a cancel.
 */
export function OverallProgress({ status, progress, ranks, seconds }: OverallProgressProps) {
  const kept = keptOutputs(progress?.ranks ?? ranks)
  const stopped = status === 'failed' || status === 'cancelled'
  const total = Math.max(1, kept.totalBytes)
  const keptFraction = kept.outputs > 0 && kept.complete === kept.outputs ? 1 : kept.keptBytes / total
  const flightFraction = stopped ? 0 : Math.min(1 - keptFraction, kept.inFlightBytes / total)
  const percent = Math.round((stopped ? keptFraction : keptFraction + flightFraction) * 100)
  const moving = status === 'running'
  return (
    <section className="panel overall" aria-label="Overall progress">
      <div className="overall-head">
        <span className={`status-chip ${status}`} data-testid="job-status" data-status={status}>
          {STATUS_WORDS[status]}
        </span>
        <span className="overall-percent" data-testid="overall-percent">
          {percent} %{stopped && <span className="muted"> kept</span>}
        </span>
      </div>
      <div
        className="progress-bar large stacked"
        role="progressbar"
        aria-label="Overall progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent} %: ${plural(kept.complete, 'output')} of ${kept.outputs} complete`}
        data-testid="overall-progress"
      >
        <div className="progress-fill kept" style={{ width: `${keptFraction * 100}%` }} />
        <div className="progress-fill in-flight" style={{ width: `${flightFraction * 100}%` }} />
      </div>
      <dl className="overall-stats">
        <div>
          <dt>Complete outputs</dt>
          <dd data-testid="ranks-summary">{completeWords(kept)}</dd>
        </div>
        <div>
          <dt>{stopped ? 'Kept' : 'Written'}</dt>
          <dd data-testid="bytes-summary">
            {stopped
              ? `${formatBytes(kept.keptBytes)} of ${formatBytes(kept.totalBytes)}`
              : `${formatBytes(kept.keptBytes + kept.inFlightBytes)} of ${formatBytes(kept.totalBytes)}`}
            {!stopped && kept.inFlightBytes > 0 && (
              <span className="muted"> ({formatBytes(kept.inFlightBytes)} in unfinished outputs)</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Parameters</dt>
          <dd>
            {(progress?.paramsDone ?? 0).toLocaleString()} of {(progress?.paramsTotal ?? 0).toLocaleString()}
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

function completeWords(kept: KeptOutputs): string {
  const already = kept.alreadyDone > 0 ? ` (${kept.alreadyDone} already done before)` : ''
  return `${kept.complete} of ${plural(kept.outputs, 'output')}${already}`
}
