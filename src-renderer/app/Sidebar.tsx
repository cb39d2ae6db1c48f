import { useAppStore } from '../store/app-store'
import { pairedFolder } from '../store/workspace-model'
import { baseName } from './format'
import { VIEWS, viewShortcut } from './views'

/** The views, and what the views show: the active strategy and folder, and whether they are paired. */
export function Sidebar() {
  const view = useAppStore((s) => s.view)
  const setView = useAppStore((s) => s.setView)
  const info = useAppStore((s) => s.info)
  const job = useAppStore((s) => s.job)
  const activeStrategy = useAppStore((s) => s.activeStrategy)
  const activeFolder = useAppStore((s) => s.activeFolder)
  const pairs = useAppStore((s) => s.pairs)
  const setPaletteOpen = useAppStore((s) => s.setPaletteOpen)
  const running = job?.progress?.state === 'running' && !job.result && !job.failure
  const paired = pairedFolder(pairs, activeStrategy)
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◧
        </span>{' '}
        Shardscope
      </div>
      <ul>
        {VIEWS.map((v, index) => {
          const key = viewShortcut(index)
          return (
            <li key={v.id}>
              <button
                type="button"
                className={v.id === view ? 'active' : ''}
                aria-current={v.id === view ? 'page' : undefined}
                onClick={() => setView(v.id)}
                title={key ? `${v.label} (Alt+${key})` : v.label}
              >
                {v.label}
                {v.id === 'run' && running && <span className="badge">running</span>}
              </button>
            </li>
          )
        })}
      </ul>
      <button type="button" className="palette-button" onClick={() => setPaletteOpen(true)}>
        Commands… <kbd>Ctrl+K</kbd>
      </button>
      <div className="workspace-summary" data-testid="workspace-summary">
        <div title={activeStrategy}>
          <span className="label">Strategy</span> {baseName(activeStrategy) || '—'}
        </div>
        <div title={paired ?? activeFolder}>
          <span className="label">{paired ? 'Paired with' : 'Checkpoint'}</span>{' '}
          {baseName(paired ?? activeFolder) || '—'}
        </div>
        <div className="shell">
          {info ? (info.shell === 'electron' ? 'Desktop app' : 'Browser mode') : ''}
        </div>
      </div>
    </nav>
  )
}
