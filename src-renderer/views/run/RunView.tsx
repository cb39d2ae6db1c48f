import { useAppStore } from '../../store/app-store'
import { EmptyState, ViewFrame } from '../../viz/ViewFrame'
import { jobStatus } from './job-status'
import { ManifestSummary } from './ManifestSummary'
import { OverallProgress } from './OverallProgress'
import { RankProgressList } from './RankProgressList'
import './run.css'

/** The current conversion: progress while it runs, what went wrong if it stopped, the manifest when it is done. */
export function RunView() {
  const job = useAppStore((s) => s.job)
  const jobError = useAppStore((s) => s.jobError)
  const cancelJob = useAppStore((s) => s.cancelJob)
  const resumeJob = useAppStore((s) => s.resumeJob)
  const setView = useAppStore((s) => s.setView)

  if (!job) {
    return (
      <ViewFrame
        title="Run"
        subtitle="Conversions run here, with progress per rank and checksums at the end."
        testId="view-run"
      >
        <EmptyState>
          <p>No conversion has been started yet. Plan one first; its preview shows everything it will do.</p>
          <button type="button" className="primary" onClick={() => setView('planner')}>
            Go to the planner
          </button>
        </EmptyState>
      </ViewFrame>
    )
  }

  const status = jobStatus(job)
  const ranks =
    job.progress?.ranks ??
    job.plan?.ranks.map((r) => ({
      rank: r.rank,
      output: r.output,
      state: 'queued',
      bytesDone: 0,
      bytesTotal: r.bytesWritten,
      paramsDone: 0,
      paramsTotal: r.params
    })) ??
    []
  const destination = job.result?.destination ?? job.plan?.destination.folder

  return (
    <ViewFrame
      title="Run"
      subtitle={
        destination ? (
          <>
            Writing to <span className="mono">{destination}</span>
          </>
        ) : undefined
      }
      testId="view-run"
      actions={
        (status === 'running' || status === 'starting') && (
          <button type="button" className="danger" onClick={() => void cancelJob()}>
            Cancel
          </button>
        )
      }
    >
      {job.failure && (
        <div className={`panel job-stopped ${job.failure.state}`} role="alert" data-testid="job-failure">
          <div>
            <strong>{job.failure.state === 'cancelled' ? 'Cancelled.' : 'The conversion failed.'}</strong>{' '}
            {job.failure.message}
            {job.failure.state === 'failed' && (
              <div className="muted">Resuming keeps finished outputs: they are verified and skipped.</div>
            )}
          </div>
          <button type="button" className="primary" onClick={() => void resumeJob()}>
            Resume
          </button>
        </div>
      )}
      {jobError && (
        <div className="banner error" role="alert">
          {jobError}
        </div>
      )}
      <OverallProgress
        status={status}
        progress={job.progress}
        rankCount={job.plan?.ranks.length ?? ranks.length}
        seconds={job.result?.seconds}
      />
      {job.result && <ManifestSummary result={job.result} />}
      <RankProgressList ranks={ranks} />
    </ViewFrame>
  )
}
