import { useAppStore } from '../../store/app-store'
import { stageColor } from '../../viz/palette'
import type { SharedParam } from './pipeline-model'
import { stageInk } from '../../viz/stage-ink'
import '../../viz/stage.css'

/** A long list of tied parameters is rare; past this many the rest are counted, not listed. */
const SHOWN = 200

/** Parameters present in several stages (a tied embedding and its optimizer states). */
export function SharedParams({ shared, stageCount }: { shared: SharedParam[]; stageCount: number }) {
  const selected = useAppStore((s) => s.selectedParam)
  const selectParam = useAppStore((s) => s.selectParam)
  return (
    <div className="panel shared-params">
      <h2>Shared between stages</h2>
      {shared.length === 0 ? (
        <div className="muted" data-testid="no-shared-param">
          {stageCount > 1 ? 'Every parameter lives in exactly one stage.' : 'One stage: nothing to share.'}
        </div>
      ) : (
        <ul>
          {shared.slice(0, SHOWN).map((param) => (
            <li
              key={param.name}
              data-testid="shared-param"
              data-name={param.name}
              data-stages={param.stages.join(',')}
            >
              <button
                type="button"
                className={`shared-name mono${selected?.name === param.name ? ' selected' : ''}`}
                title="Select this parameter in the other views"
                onClick={() => selectParam({ name: param.name, stage: param.stages[0]! })}
              >
                {param.name}
              </button>
              {param.optimizerState && <span className="muted"> optimizer state</span>}
              <span className="shared-stages">
                {param.stages.map((stage) => (
                  <span
                    key={stage}
                    className="stage-pill"
                    style={{ background: stageColor(stage), color: stageInk(stage) }}
                  >
                    stage {stage}
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
      {shared.length > SHOWN && <div className="muted">…and {shared.length - SHOWN} more.</div>}
    </div>
  )
}
