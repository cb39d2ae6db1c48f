import { useRef } from 'react'
import type { PlanSummary } from '../../../src-main/api/contract'
import { formatBytes, plural } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { rankColor } from '../../viz/palette'
import { baseName } from '../../app/format'
import { EmptyState, useShownSelection, ViewFrame } from '../../viz/ViewFrame'
import { FlowDiagram } from './FlowDiagram'
import { ParamPreview } from './ParamPreview'
import { OverwriteDialog } from './OverwriteDialog'
import { PlanProblems } from './PlanProblems'
import { PlanRequestForm } from './PlanRequestForm'
import { RankTable } from './RankTable'
import { TransformCommand } from './TransformCommand'
import './planner.css'

/** Plan a conversion, see everything it will do, then start it. */
export function PlannerView() {
  const plan = useAppStore((s) => s.plan)
  const planError = useAppStore((s) => s.planError)
  const planning = useAppStore((s) => s.planning)
  const planRank = useAppStore((s) => s.planRank)
  const shownRank = useShownSelection(planRank) ?? -1
  const setPlanRank = useAppStore((s) => s.setPlanRank)
  const sourceFolder = useAppStore((s) => s.planRequest.sourceFolder)
  const openSample = useAppStore((s) => s.openSample)
  const sampleOpen = useAppStore((s) => s.sample !== undefined)
  const job = useAppStore((s) => s.job)
  const jobError = useAppStore((s) => s.jobError)
  const startJob = useAppStore((s) => s.startJob)
  const setView = useAppStore((s) => s.setView)
  const flowRef = useRef<SVGSVGElement>(null)

  const errors = plan?.problems.filter((p) => p.severity === 'error').length ?? 0
  const running = job !== undefined && !job.result && !job.failure
  const start = async () => {
    await startJob()
    if (!useAppStore.getState().jobError) setView('run')
  }

  const drawable = plan !== undefined && plan.ranks.length > 0
  const subtitle = plan
    ? describePlan(plan)
    : 'Choose a source and a destination layout, then Plan to preview every step before anything is written.'

  return (
    <ViewFrame
      title="Transform planner"
      subtitle={subtitle}
      drawing={
        drawable
          ? {
              svgRef: flowRef,
              title: `Conversion plan · ${plan.source.rankCount} → ${plan.destination.rankCount} ranks`,
              subtitle: `${plan.source.folder} → ${plan.destination.folder} · bytes from each source rank to each destination rank`,
              fileName: `conversion-plan-${baseName(plan.source.folder)}-${plan.source.rankCount}-to-${plan.destination.rankCount}-ranks`,
              legend: [
                ...[...new Set(plan.flows.map((f) => f.source))]
                  .sort((a, b) => a - b)
                  .slice(0, 12)
                  .map((r) => ({ color: rankColor(r), label: `from source rank ${r}` })),
                { color: 'var(--muted)', label: 'band width: bytes' }
              ]
            }
          : undefined
      }
      testId="view-planner"
      actions={
        <button
          type="button"
          className="primary"
          disabled={!plan || errors > 0 || planning || running}
          title={
            errors > 0
              ? 'Fix the problems listed below first'
              : running
                ? 'A conversion is already running'
                : 'Write the destination checkpoint'
          }
          onClick={() => void start()}
        >
          Start conversion
        </button>
      }
    >
      <PlanRequestForm />
      <TransformCommand />
      <OverwriteDialog />
      {jobError && (
        <div className="banner error" role="alert">
          {jobError}
        </div>
      )}
      {planError && (
        <div className="panel plan-error" role="alert" data-testid="plan-error">
          <strong>The conversion could not be planned.</strong> {planError}
        </div>
      )}
      {!plan && !planError && (
        <EmptyState>
          {sourceFolder ? (
            <>Press Plan to preview the conversion: problems, data flow, outputs and per-parameter blocks.</>
          ) : (
            <>
              Choose the checkpoint folder to convert: browse for it, or open it first.{' '}
              {!sampleOpen && (
                <button type="button" onClick={() => void openSample()}>
                  Open the sample workspace
                </button>
              )}
            </>
          )}
        </EmptyState>
      )}
      {plan && (
        <>
          <section className="panel" aria-label="Problems">
            <h2>Checks</h2>
            <PlanProblems problems={plan.problems} />
          </section>
          {drawable && (
            <>
              <div className="planner-grid">
                <section className="panel" aria-label="Data flow">
                  <h2>
                    Data flow <span className="muted">— click a destination rank to inspect it</span>
                  </h2>
                  <FlowDiagram
                    plan={plan}
                    selectedRank={shownRank}
                    onSelectRank={setPlanRank}
                    svgRef={flowRef}
                  />
                </section>
                <section className="panel" aria-label="Parameter blocks">
                  <h2>
                    Parameter blocks <span className="muted">— destination rank {planRank}</span>
                  </h2>
                  <ParamPreview plan={plan} />
                </section>
              </div>
              <section className="panel" aria-label="Destination ranks">
                <h2>Outputs</h2>
                <RankTable plan={plan} selectedRank={planRank} onSelectRank={setPlanRank} />
              </section>
            </>
          )}
        </>
      )}
    </ViewFrame>
  )
}

function describePlan(plan: PlanSummary): string {
  const stages = plan.source.stageCount > 1 ? ` in ${plan.source.stageCount} stages` : ''
  const ranks = `${plural(plan.source.rankCount, 'source rank')}${stages} → ${plural(plan.destination.rankCount, 'destination rank')}`
  if (plan.ranks.length === 0) return `${ranks}: nothing can be written until the problems below are fixed.`
  const written = plan.ranks.reduce((s, r) => s + r.bytesWritten, 0)
  const subset =
    plan.ranks.length < plan.destination.rankCount ? ` (writing ${plan.ranks.length} of them)` : ''
  return `${ranks}${subset}, ${formatBytes(written)} to write`
}
