import { useAppStore } from '../../store/app-store'
import { EmptyState } from '../ViewFrame'

/** What a per-parameter view says before there is a strategy, or before a parameter is chosen. */
export function SelectionEmptyState() {
  const hasStrategy = useAppStore((s) => !!s.strategy)
  const setView = useAppStore((s) => s.setView)
  return (
    <EmptyState>
      {hasStrategy ? (
        <>
          <p>Choose a parameter in the strategy explorer to see how it is laid out.</p>
          <button type="button" onClick={() => setView('strategy')}>
            Open the strategy explorer
          </button>
        </>
      ) : (
        <>
          <p>
            Nothing is open yet. Open a strategy file (and its checkpoint folder), or the sample workspace.
          </p>
          <button type="button" onClick={() => setView('open')}>
            Go to Open
          </button>
        </>
      )}
    </EmptyState>
  )
}
