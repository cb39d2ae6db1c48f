import type { FormEvent } from 'react'
import { useMemo } from 'react'
import { checkDraft, defaultDestination } from '../../store/plan-request'
import { useAppStore } from '../../store/app-store'
import { PathField } from './PathField'
import { PlanOptions } from './PlanOptions'

/** Source, destination and options of a conversion, and the Plan button. */
export function PlanRequestForm() {
  const draft = useAppStore((s) => s.planRequest)
  const setDraft = useAppStore((s) => s.setPlanRequest)
  const createPlan = useAppStore((s) => s.createPlan)
  const planning = useAppStore((s) => s.planning)
  const problems = useMemo(() => checkDraft(draft), [draft])
  // A field says what is wrong with it once there is something in it; an empty source just disables Plan.
  const shown = (field: keyof typeof problems) => (draft[field] ? problems[field] : undefined)

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
          browse="folder"
          value={draft.sourceFolder}
          placeholder="/path/to/checkpoint (rank_0/, rank_1/, …)"
          error={shown('sourceFolder')}
          onChange={(sourceFolder) => setDraft({ sourceFolder })}
        />
        <PathField
          label="Source strategy"
          kind="strategy"
          browse="any"
          value={draft.sourceStrategy}
          placeholder="strategy file or folder of per-stage files; none: one unsharded checkpoint"
          error={shown('sourceStrategy')}
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
            browse="any"
            value={draft.destinationStrategy}
            placeholder="strategy file or folder of per-stage files"
            error={shown('destinationStrategy')}
            onChange={(destinationStrategy) => setDraft({ destinationStrategy })}
          />
        )}
        <PathField
          label="Destination folder"
          browse="folder"
          value={draft.destinationFolder}
          placeholder={draft.sourceFolder ? defaultDestination(draft.sourceFolder) : '<source>-converted'}
          error={shown('destinationFolder')}
          onChange={(destinationFolder) => setDraft({ destinationFolder })}
        />
      </fieldset>

      <PlanOptions problems={problems}>
        <div className="form-actions">
          {planning && (
            <span className="muted" role="status">
              Planning…
            </span>
          )}
          <button
            type="submit"
            className="primary"
            disabled={planning || Object.keys(problems).length > 0}
            aria-busy={planning}
            title={
              Object.values(problems).join(' ') || 'Check the conversion and preview it; nothing is written'
            }
          >
            Plan
          </button>
        </div>
      </PlanOptions>
    </form>
  )
}
