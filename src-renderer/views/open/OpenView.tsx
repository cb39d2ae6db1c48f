import { useState } from 'react'
import { choosePaths } from '../../app/choose-path'
import { baseName } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { ViewFrame } from '../../viz/ViewFrame'
import { RecentList } from './RecentList'
import { WorkspaceList } from './WorkspaceList'
import './open.css'

/** Where users bring files in and manage what is open: the workspace, its pairs, recent items. */
export function OpenView() {
  const rankTable = useAppStore((s) => s.rankTable)
  const sample = useAppStore((s) => s.sample)
  const openPaths = useAppStore((s) => s.openPaths)
  const openSample = useAppStore((s) => s.openSample)
  const [typed, setTyped] = useState('')

  const pick = async (kind: 'any' | 'folder') => {
    const paths = await choosePaths(kind, kind === 'folder' ? 'Open a folder' : 'Open a file or folder')
    if (paths.length > 0) await openPaths(paths)
  }

  return (
    <ViewFrame
      title="Open"
      subtitle="Strategy files, checkpoint folders (rank_N/), checkpoint files and rank tables are recognised by their content. Drop them anywhere in the window."
      testId="view-open"
    >
      <div className="drop-zone" data-testid="drop-zone">
        <div className="drop-actions">
          <button type="button" onClick={() => void pick('any')} title="Ctrl+O">
            Open file…
          </button>
          <button type="button" onClick={() => void pick('folder')} title="Ctrl+Shift+O">
            Open folder…
          </button>
          {!sample && (
            <button type="button" onClick={() => void openSample()}>
              Open the sample workspace
            </button>
          )}
        </div>
        <form
          className="path-form"
          onSubmit={(e) => {
            e.preventDefault()
            if (typed.trim()) void openPaths([typed.trim()]).then(() => setTyped(''))
          }}
        >
          <input
            type="text"
            className="mono"
            aria-label="Path"
            placeholder="…or type a path on this machine and press Enter"
            value={typed}
            spellCheck={false}
            onChange={(e) => setTyped(e.target.value)}
          />
        </form>
        <div className="muted drop-hint">
          A folder of rank_N/ subfolders opens as one checkpoint; a folder of per-stage strategy files as one
          strategy.
        </div>
      </div>

      <div className="open-columns">
        <WorkspaceList />
        <RecentList />
      </div>

      {rankTable && (
        <div className="panel" data-testid="rank-table">
          <h2>Rank table {baseName(rankTable.path)}</h2>
          <div className="muted">
            {rankTable.servers.length} servers, {rankTable.ranks.length} ranks:{' '}
            {rankTable.servers.map((s) => `${s.id} (${s.devices} devices)`).join(', ')}
          </div>
          {rankTable.problems.length > 0 && (
            <ul className="problems">
              {rankTable.problems.map((p) => (
                <li key={p} className="warning">
                  {p}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </ViewFrame>
  )
}
