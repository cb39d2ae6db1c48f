import { useAppStore } from '../../store/app-store'
import { WorkspaceRow } from './WorkspaceRow'

/** Everything open, the sample as one group among them; each item can be closed. */
export function WorkspaceList() {
  const items = useAppStore((s) => s.items)
  const sample = useAppStore((s) => s.sample)
  const closeSample = useAppStore((s) => s.closeSample)
  const sampleItems = items.filter((i) => i.sample)
  const own = items.filter((i) => !i.sample)
  return (
    <section className="panel workspace-panel" aria-labelledby="workspace-title">
      <h2 id="workspace-title">Workspace</h2>
      {items.length === 0 && (
        <div className="muted" data-testid="workspace-empty">
          Nothing is open. Open a strategy and the checkpoint folder it describes, then pair them.
        </div>
      )}
      {own.length > 0 && (
        <ul className="opened" data-testid="opened-items">
          {own.map((item) => (
            <WorkspaceRow key={item.path} item={item} />
          ))}
        </ul>
      )}
      {sampleItems.length > 0 && (
        <div className="sample-group" data-testid="sample-group">
          <div className="sample-head">
            <div>
              <strong>Sample workspace</strong>
              {sample && <div className="muted sample-text">{sample.description}</div>}
            </div>
            <button type="button" onClick={() => void closeSample()}>
              Close sample
            </button>
          </div>
          <ul className="opened" data-testid="sample-items">
            {sampleItems.map((item) => (
              <WorkspaceRow key={item.path} item={item} />
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}
