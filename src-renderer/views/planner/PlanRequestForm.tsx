import type { FormEvent } from 'react'
import { defaultDestination } from '../../store/plan-slice'
import { useAppStore } from '../../store/app-store'
import { PathField } from './PathField'

/** Drops Adam moments, gradient accumulators and the step counter: what inference does not need. */
export const INFERENCE_ONLY_EXCLUDE = '^(adam_[mv]|accu_grads)\\.|^global_step$'

const DTYPES = [
  { value: '', label: 'Keep as is' },
  { value: 'bfloat16', label: 'bfloat16' },
  { value: 'float16', label: 'float16' },
  { value: 'float32', label: 'float32' }
]

/** Source, destination and options of a conversion, and the Plan button. */
export function PlanRequestForm() {
  const draft = useAppStore((s) => s.planRequest)
  const setDraft = useAppStore((s) => s.setPlanRequest)
  const createPlan = useAppStore((s) => s.createPlan)
  const planning = useAppStore((s) => s.planning)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void createPlan()
  }

  return (
    <form className="panel plan-form" onSubmit={submit} aria-label="Conversion">
      <fieldset>
        <legend>Source</legend>
        <PathField
          label="Checkpoint folder"
          kind="checkpoint-folder"
          value={draft.sourceFolder}
          placeholder="/path/to/checkpoint (rank_0/, rank_1/, …)"
          onChange={(sourceFolder) => setDraft({ sourceFolder })}
        />
        <PathField
          label="Source strategy"
          kind="strategy"
          value={draft.sourceStrategy}
          placeholder="strategy file or folder of per-stage files"
          onChange={(sourceStrategy) => setDraft({ sourceStrategy })}
        />
      </fieldset>

      <fieldset>
        <legend>Destination</legend>
        <div className="choice-row" role="radiogroup" aria-label="Destination layout">
          <label>
            <input
              type="radio"
              name="destination-kind"
              checked={!draft.merge}
              onChange={() => setDraft({ merge: false })}
            />{' '}
            Reshard to a strategy
          </label>
          <label>
            <input
              type="radio"
              name="destination-kind"
              checked={draft.merge}
              onChange={() => setDraft({ merge: true })}
            />{' '}
            Merge into one full checkpoint
          </label>
        </div>
        {!draft.merge && (
          <PathField
            label="Destination strategy"
            kind="strategy"
            value={draft.destinationStrategy}
            placeholder="strategy file or folder of per-stage files"
            onChange={(destinationStrategy) => setDraft({ destinationStrategy })}
          />
        )}
        <PathField
          label="Destination folder"
          value={draft.destinationFolder}
          placeholder={draft.sourceFolder ? defaultDestination(draft.sourceFolder) : '<source>-converted'}
          onChange={(destinationFolder) => setDraft({ destinationFolder })}
        />
      </fieldset>

      <fieldset>
        <legend>Options</legend>
        <div className="option-row">
          <div className="field">
            <label htmlFor="plan-format">Format</label>
            <select
              id="plan-format"
              aria-label="Format"
              value={draft.format}
              onChange={(e) => setDraft({ format: e.target.value as 'ckpt' | 'safetensors' })}
            >
              <option value="ckpt">MindSpore .ckpt</option>
              <option value="safetensors">safetensors</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="plan-dtype">Cast floats to</label>
            <select
              id="plan-dtype"
              aria-label="Cast floats to"
              value={draft.dtype ?? ''}
              onChange={(e) => setDraft({ dtype: e.target.value || undefined })}
            >
              {DTYPES.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <div className="label-row">
            <label htmlFor="plan-exclude">Exclude parameters</label>
            <button
              type="button"
              className="link"
              onClick={() => setDraft({ exclude: INFERENCE_ONLY_EXCLUDE })}
              aria-pressed={draft.exclude === INFERENCE_ONLY_EXCLUDE}
              title={`Sets the pattern to ${INFERENCE_ONLY_EXCLUDE}`}
            >
              Inference only (drop optimizer states)
            </button>
          </div>
          <input
            id="plan-exclude"
            type="text"
            className="mono"
            aria-label="Exclude parameters matching"
            placeholder="regular expression, e.g. ^adam_"
            spellCheck={false}
            value={draft.exclude ?? ''}
            onChange={(e) => setDraft({ exclude: e.target.value || undefined })}
          />
        </div>
        <div className="form-actions">
          {planning && (
            <span className="muted" role="status">
              Planning…
            </span>
          )}
          <button
            type="submit"
            className="primary"
            disabled={planning || !draft.sourceFolder}
            aria-busy={planning}
          >
            Plan
          </button>
        </div>
      </fieldset>
    </form>
  )
}
