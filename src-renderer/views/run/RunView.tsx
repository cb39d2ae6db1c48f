import { choosePath } from '../../app/choose-path'
import { useAppStore } from '../../store/app-store'
import { EmptyState, ViewFrame } from '../../viz/ViewFrame'
import { jobStatus } from './job-status'
import { keptOutputs, keptSentence, resumeSentence } from './kept-outputs'
import { ManifestSummary } from './ManifestSummary'
import { OverallProgress } from './OverallProgress'
import { RankProgressList } from './RankProgressList'
import { ClusterRunPanel } from './cluster/ClusterRunPanel'
import { useClusterRun } from './cluster/cluster-run-store'
import { runEmptyState } from './run-empty-state'
import { VerificationPanel } from './VerificationPanel'
import './run.css'

/** The current conversion (progress, what is kept if it stops, the manifest when done) and folder checks. */
export function RunView() {
  const job = useAppStore((s) => s.job)
  const jobError = useAppStore((s) => s.jobError)
  const verification = useAppStore((s) => s.verification)
  const cancelJob = useAppStore((s) => s.cancelJob)
  const resumeJob = useAppStore((s) => s.resumeJob)
  const verifyFolder = useAppStore((s) => s.verifyFolder)
  const setView = useAppStore((s) => s.setView)
  const plan = useAppStore((s) => s.plan)
  const planning = useAppStore((s) => s.planning)
  const startJob = useAppStore((s) => s.startJob)
  const clusterLaunch = useClusterRun((s) => s.launched)
  const clusterLaunchFor = useClusterRun((s) => s.launchedFor)
  const clusterLaunchNote =
    clusterLaunch && clusterLaunchFor !== undefined
      ? { destination: clusterLaunchFor, started: clusterLaunch.started }
      : undefined
  const verifyButton = (
    <button
      type="button"
      onClick={async () => {
        const folder = await choosePath('folder', 'Verify an output folder')
        if (folder) await verifyFolder(folder)
      }}
    >
      Verify an output folder…
    </button>
  )

  if (!job) {
    return (
      <ViewFrame
        title="Run"
        subtitle="Conversions run here, with progress per rank and checksums at the end."
        testId="view-run"
        actions={verifyButton}
      >
        {verification && <VerificationPanel verification={verification} />}
        {!verification && (
          <NoConversionYet
            {...runEmptyState(plan, planning, clusterLaunchNote)}
            onStart={() => void startJob()}
            onPlanner={() => setView('planner')}
          />
        )}
        <ClusterRunPanel />
      </ViewFrame>
    )
  }

  const status = jobStatus(job)
  const planned =
    job.plan?.ranks.map((r) => ({
      rank: r.rank,
      output: r.output,
      state: 'queued',
      bytesDone: 0,
      bytesTotal: r.bytesWritten,
      paramsDone: 0,
      paramsTotal: r.params
    })) ?? []
  const ranks = job.progress?.ranks ?? planned
  const destination = job.result?.destination ?? job.plan?.destination.folder
  const kept = keptOutputs(ranks)

  return (
    <ViewFrame
      title="Run"
      subtitle={
        destination ? (
          <>
            {job.result ? 'Wrote to' : 'Writing to'} <span className="mono">{destination}</span>
          </>
        ) : undefined
      }
      testId="view-run"
      actions={
        <>
          {(status === 'running' || status === 'starting') && (
            <button type="button" className="danger" onClick={() => void cancelJob()}>
              Cancel
            </button>
          )}
          {verifyButton}
        </>
      }
    >
      {job.failure && (
        <div className={`panel job-stopped ${job.failure.state}`} role="alert" data-testid="job-failure">
          <div>
            <strong>{job.failure.state === 'cancelled' ? 'Cancelled.' : 'The conversion failed.'}</strong>{' '}
            {job.failure.state === 'failed' && job.failure.message}
            <div data-testid="kept-summary">{keptSentence(kept)}</div>
            <div className="muted" data-testid="resume-summary">
              {resumeSentence(kept)}
            </div>
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
      {verification && <VerificationPanel verification={verification} />}
      <OverallProgress status={status} progress={job.progress} ranks={ranks} seconds={job.result?.seconds} />
      {job.result && <ManifestSummary result={job.result} />}
      <RankProgressList ranks={ranks} />
      <ClusterRunPanel />
    </ViewFrame>
  )
}

function NoConversionYet(props: {
  sentence: string
  action: 'start' | 'planner'
  label: string
  onStart(): void
  onPlanner(): void
}) {
  return (
    <EmptyState>
      <p data-testid="run-empty">{props.sentence}</p>
      <button
        type="button"
        className="primary"
        onClick={props.action === 'start' ? props.onStart : props.onPlanner}
      >
        {props.label}
      </button>
      {props.action === 'start' && (
        <button type="button" onClick={props.onPlanner}>
          Back to the planner
        </button>
      )}
    </EmptyState>
  )
}
