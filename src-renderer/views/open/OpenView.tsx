import { useState, type DragEvent } from 'react'
import type { OpenedItem } from '../../../src-main/api/contract'
import { client } from '../../api/client'
import { baseName } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { ViewFrame } from '../../viz/ViewFrame'
import { FileBrowser } from './FileBrowser'
import { readDrop } from './read-drop'
import './open.css'

const KIND_VIEW = {
  strategy: 'strategy',
  'checkpoint-folder': 'folder',
  checkpoint: 'open',
  'rank-table': 'open'
} as const

/** Where users bring files in: drop zone, dialogs (or the server browser), a path field, recent items. */
export function OpenView() {
  const info = useAppStore((s) => s.info)
  const items = useAppStore((s) => s.items)
  const recent = useAppStore((s) => s.recent)
  const sample = useAppStore((s) => s.sample)
  const rankTable = useAppStore((s) => s.rankTable)
  const openPaths = useAppStore((s) => s.openPaths)
  const openUpload = useAppStore((s) => s.openUpload)
  const openSample = useAppStore((s) => s.openSample)
  const [dragging, setDragging] = useState(false)
  const [browsing, setBrowsing] = useState(false)
  const [typed, setTyped] = useState('')
  const [dropError, setDropError] = useState<string>()

  const onDrop = async (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    setDropError(undefined)
    try {
      const dropped = await readDrop(event.dataTransfer, client.pathForFile)
      if (dropped.kind === 'paths') await openPaths(dropped.paths)
      else if (dropped.kind === 'upload') await openUpload(dropped.name, dropped.files)
      else setDropError('Nothing readable was dropped.')
    } catch (err) {
      setDropError((err as Error).message)
    }
  }

  const pick = async (kind: 'file' | 'folder') => {
    if (!info?.nativeDialogs) {
      setBrowsing(true)
      return
    }
    const { paths } = await client.request('path.pick', { kind })
    if (paths.length > 0) await openPaths(paths)
  }

  return (
    <ViewFrame
      title="Open"
      subtitle="Strategy files, checkpoint folders (rank_N/), checkpoint files and rank tables are recognised by their content."
      testId="view-open"
    >
      <div
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => void onDrop(e)}
      >
        <div className="drop-title">Drop files or folders here</div>
        <div className="muted">
          A folder of rank_N/ subfolders opens as one checkpoint; a folder of per-stage strategy files as one
          strategy.
        </div>
        <div className="drop-actions">
          <button type="button" onClick={() => void pick('file')}>
            Open file…
          </button>
          <button type="button" onClick={() => void pick('folder')}>
            Open folder…
          </button>
          <button type="button" className="primary" onClick={() => void openSample()}>
            Open the sample workspace
          </button>
        </div>
        <form
          className="path-form"
          onSubmit={(e) => {
            e.preventDefault()
            if (typed.trim()) void openPaths([typed.trim()])
          }}
        >
          <input
            type="text"
            aria-label="Path"
            placeholder="…or type a path on this machine and press Enter"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </form>
        {dropError && (
          <div className="banner error" role="alert">
            {dropError}
          </div>
        )}
      </div>

      <div className="open-columns">
        <div className="panel">
          <h2>Opened</h2>
          {items.length === 0 && <div className="muted">Nothing yet.</div>}
          <ul className="opened" data-testid="opened-items">
            {items.map((item) => (
              <OpenedRow key={item.path} item={item} />
            ))}
          </ul>
        </div>
        <div className="panel">
          <h2>Recent</h2>
          {recent.length === 0 && <div className="muted">Paths you open are remembered here.</div>}
          <ul className="recent">
            {recent.map((r) => (
              <li key={r.path}>
                <button
                  type="button"
                  className="link"
                  onClick={() => void openPaths([r.path])}
                  title={r.path}
                >
                  {baseName(r.path)}
                </button>
                <span className="muted"> {r.kind.replace('-', ' ')}</span>
              </li>
            ))}
          </ul>
          {sample && (
            <>
              <h2 className="spaced">Sample workspace</h2>
              <p className="muted sample-text">{sample.description}</p>
            </>
          )}
        </div>
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

      {browsing && (
        <FileBrowser
          onClose={() => setBrowsing(false)}
          onOpen={(path) => {
            setBrowsing(false)
            void openPaths([path])
          }}
        />
      )}
    </ViewFrame>
  )
}

function OpenedRow({ item }: { item: OpenedItem }) {
  const activate = useAppStore((s) => s.activate)
  const setView = useAppStore((s) => s.setView)
  const setPlanRequest = useAppStore((s) => s.setPlanRequest)
  if (!item.ok) {
    return (
      <li className="opened-item failed" data-testid="opened-item">
        <div className="opened-name">{baseName(item.path)}</div>
        <div className="opened-error">Not recognised: {item.error}</div>
      </li>
    )
  }
  return (
    <li className="opened-item" data-testid="opened-item">
      <div className="opened-name" title={item.path}>
        {baseName(item.path)}
      </div>
      <div>
        <strong>{item.title}</strong> <span className="muted">— {item.detail}</span>
      </div>
      <div className="opened-actions">
        {(item.kind === 'strategy' || item.kind === 'checkpoint-folder') && (
          <button
            type="button"
            onClick={() => {
              void activate(item)
              setView(KIND_VIEW[item.kind])
            }}
          >
            Explore
          </button>
        )}
        {item.kind === 'strategy' && (
          <button
            type="button"
            onClick={() => setPlanRequest({ destinationStrategy: item.path, merge: false })}
          >
            Use as destination
          </button>
        )}
        {item.kind === 'rank-table' && (
          <button type="button" onClick={() => void activate(item)}>
            Show
          </button>
        )}
      </div>
    </li>
  )
}
