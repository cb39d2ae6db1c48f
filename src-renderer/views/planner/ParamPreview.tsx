import type { PlanSummary } from '../../../src-main/api/contract'
import { formatShape } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { BlockDrawing } from './BlockDrawing'
import { ParamPicker } from './ParamPicker'

/** One parameter of the selected destination rank: where its block lies and which source blocks fill it. */
export function ParamPreview({ plan }: { plan: PlanSummary }) {
  const planParam = useAppStore((s) => s.planParam)
  const planRank = useAppStore((s) => s.planRank)
  const detail = useAppStore((s) => s.paramDetail)
  const paramError = useAppStore((s) => s.paramError)
  const selectPlanParam = useAppStore((s) => s.selectPlanParam)
  const setPlanRank = useAppStore((s) => s.setPlanRank)
  const showing = detail && detail.name === planParam ? detail : undefined

  return (
    <div className="param-preview" data-testid="plan-param-preview">
      <div className="preview-controls">
        <ParamPicker params={plan.params} value={planParam} onChange={(name) => void selectPlanParam(name)} />
        <label className="rank-pick">
          Destination rank{' '}
          <select
            aria-label="Destination rank"
            value={planRank}
            onChange={(e) => setPlanRank(Number(e.target.value))}
          >
            {plan.ranks.map((r) => (
              <option key={r.rank} value={r.rank}>
                {r.rank}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!planParam && <div className="muted">Choose a parameter to see how its block is assembled.</div>}
      {planParam && !showing && !paramError && <div className="muted">Reading the plan…</div>}
      {paramError && <div className="muted">{paramError}</div>}
      {showing && (
        <>
          <div className="preview-facts">
            <span className={`action ${showing.action}`}>
              {showing.action === 'copy' ? 'copied whole' : 'resharded'}
            </span>
            <span>
              {showing.dtype}
              {showing.outDtype !== showing.dtype && <> → {showing.outDtype}</>}
            </span>
            <span>full {formatShape(showing.fullShape)}</span>
            <span>
              block at {formatShape(showing.offset)}, shape {formatShape(showing.shape)}
            </span>
            <span>
              {showing.pieces.length} source block{showing.pieces.length === 1 ? '' : 's'}
            </span>
          </div>
          <BlockDrawing detail={showing} rank={planRank} />
        </>
      )}
    </div>
  )
}
