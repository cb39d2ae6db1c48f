import { useAppStore } from '../../store/app-store'
import { ElidedPath } from '../../viz/ElidedPath'

/** Paths opened in earlier sessions, in full (elided in the middle), each removable. */
export function RecentList() {
  const recent = useAppStore((s) => s.recent)
  const openPaths = useAppStore((s) => s.openPaths)
  const removeRecent = useAppStore((s) => s.removeRecent)
  return (
    <section className="panel recent-panel" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent</h2>
      {recent.length === 0 && <div className="muted">Paths you open are remembered here.</div>}
      <ul className="recent" data-testid="recent-items">
        {recent.map((r) => (
          <li key={r.path} data-testid="recent-item" data-path={r.path}>
            <button
              type="button"
              className="link recent-open"
              onClick={() => void openPaths([r.path])}
              aria-label={`Open ${r.path}`}
            >
              <ElidedPath path={r.path} className="mono" />
              <span className="muted recent-kind">{r.kind.replace('-', ' ')}</span>
            </button>
            <button
              type="button"
              className="icon"
              aria-label={`Remove ${r.path} from recent items`}
              title="Remove from recent items"
              onClick={() => void removeRecent(r.path)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
