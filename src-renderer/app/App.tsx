import { useAppStore } from '../store/app-store'
import { AboutDialog } from './AboutDialog'
import { CommandPalette } from './CommandPalette'
import { PathChooser } from './PathChooser'
import { Sidebar } from './Sidebar'
import { useAppWiring } from './use-app-wiring'
import { useWindowDrop } from './use-window-drop'
import { VIEWS } from './views'
import './app.css'

export function App() {
  const view = useAppStore((s) => s.view)
  const busy = useAppStore((s) => s.busy)
  const error = useAppStore((s) => s.error)
  const clearError = useAppStore((s) => s.clearError)
  const theme = useAppStore((s) => s.theme)
  const exporting = useAppStore((s) => s.exporting)
  const commands = useAppWiring()
  const drop = useWindowDrop()
  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0]!

  return (
    <div
      className={`app theme-${theme}${exporting ? ' exporting' : ''}`}
      data-theme={theme}
      {...drop.handlers}
    >
      <Sidebar />
      {/* Colours worked out in script (stage tints, slice colours) follow the theme by re-rendering, not by a
          remount: a view keeps its scroll position and what the user typed when the system theme changes. */}
      {/* Focusable so the keyboard can scroll a long view that holds no control of its own (the help page). */}
      <main className="content" tabIndex={0} aria-label={current.label}>
        {busy && (
          <div className="banner busy" role="status">
            {busy}
          </div>
        )}
        {error && (
          <div className="banner error" role="alert">
            <span>{error}</span>
            <button type="button" onClick={clearError} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {current.render()}
      </main>
      {drop.dragging && (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <div>Drop to open: strategy files, checkpoint folders, checkpoint files, rank tables, or paths</div>
        </div>
      )}
      <CommandPalette commands={commands} />
      <AboutDialog />
      <PathChooser />
    </div>
  )
}
