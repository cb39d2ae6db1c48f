import { useAppStore } from '../store/app-store'
import { EmptyState } from './ViewFrame'
import './open-first.css'

/** The empty state of a view that needs something opened first, with the way to the Open view. */
export function OpenFirst({ children }: { children: string }) {
  const setView = useAppStore((s) => s.setView)
  return (
    <EmptyState>
      <div className="open-first-text">{children}</div>
      <button type="button" className="primary" onClick={() => setView('open')}>
        Go to Open
      </button>
    </EmptyState>
  )
}
