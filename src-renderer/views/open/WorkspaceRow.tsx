import { baseName } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { pairedStrategy, type WorkspaceItem } from '../../store/workspace-model'
import { ElidedPath } from '../../viz/ElidedPath'
import { PairControl } from './PairControl'

const KIND_VIEW = { strategy: 'strategy', 'checkpoint-folder': 'folder' } as const

/** One open item: what it is, where it is, what it is paired with, and what can be done with it. */
export function WorkspaceRow({ item }: { item: WorkspaceItem }) {
  const activate = useAppStore((s) => s.activate)
  const setView = useAppStore((s) => s.setView)
  const closeItem = useAppStore((s) => s.closeItem)
  const setPlanRequest = useAppStore((s) => s.setPlanRequest)
  const verifyFolder = useAppStore((s) => s.verifyFolder)
  const openPaths = useAppStore((s) => s.openPaths)
  const pair = useAppStore((s) => s.pair)
  const pairs = useAppStore((s) => s.pairs)
  const items = useAppStore((s) => s.items)
  const active = useAppStore((s) => s.activeStrategy === item.path || s.activeFolder === item.path)
  const { opened } = item
  const close = (
    <button
      type="button"
      className="icon close-item"
      aria-label={`Close ${item.path}`}
      title="Close"
      onClick={() => void closeItem(item.path)}
    >
      ×
    </button>
  )
  if (!opened.ok) {
    return (
      <li className="opened-item failed" data-testid="opened-item" data-path={item.path}>
        <div className="opened-head">
          <span className="opened-name">{baseName(item.path)}</span>
          {close}
        </div>
        <ElidedPath path={item.path} className="mono opened-path" />
        <div className="opened-error">Not recognised: {opened.error}</div>
      </li>
    )
  }
  const explore = async (view: string) => {
    await activate(item.path)
    setView(view)
  }
  const converted = opened.converted
  const madeWith = converted?.destinationStrategy
  const madeWithOpen = madeWith && items.some((i) => i.path === madeWith && i.opened.ok)
  return (
    <li
      className={`opened-item${active ? ' active' : ''}`}
      data-testid="opened-item"
      data-path={item.path}
      data-kind={opened.kind}
    >
      <div className="opened-head">
        <span className="opened-name">{baseName(item.path)}</span>
        <span className="kind-badge">{opened.title}</span>
        {active && <span className="shown-badge">shown</span>}
        {close}
      </div>
      <ElidedPath path={item.path} className="mono opened-path" />
      <div className="muted opened-detail">{opened.detail}</div>
      {opened.kind === 'strategy' && <PairControl path={item.path} side="strategy" />}
      {opened.kind === 'checkpoint-folder' && <PairControl path={item.path} side="folder" />}
      {madeWith && !pairedStrategy(pairs, item.path) && (
        <div className="pair-line" data-testid="manifest-pair">
          <span className="muted">Its manifest says it was made for</span>
          <ElidedPath path={madeWith} className="mono pair-partner" />
          <button
            type="button"
            className="small"
            onClick={async () => {
              if (!madeWithOpen) await openPaths([madeWith])
              await pair(madeWith, item.path)
            }}
          >
            {madeWithOpen ? 'Pair' : 'Open and pair'}
          </button>
        </div>
      )}
      <div className="opened-actions">
        {(opened.kind === 'strategy' || opened.kind === 'checkpoint-folder') && (
          <button
            type="button"
            onClick={() => void explore(KIND_VIEW[opened.kind as keyof typeof KIND_VIEW])}
          >
            Explore
          </button>
        )}
        {opened.kind === 'strategy' && (
          <>
            <button type="button" onClick={() => setPlanRequest({ sourceStrategy: item.path })}>
              Plan from it
            </button>
            <button
              type="button"
              onClick={() => setPlanRequest({ destinationStrategy: item.path, merge: false })}
            >
              Plan to it
            </button>
          </>
        )}
        {opened.kind === 'checkpoint-folder' && (
          <button
            type="button"
            onClick={() => {
              const strategy = pairedStrategy(pairs, item.path)
              setPlanRequest({ sourceFolder: item.path, ...(strategy ? { sourceStrategy: strategy } : {}) })
              setView('planner')
            }}
          >
            Plan from it
          </button>
        )}
        {converted && (
          <button type="button" onClick={() => void verifyFolder(item.path)}>
            Verify {converted.outputs === 1 ? 'its output' : `its ${converted.outputs} outputs`}
          </button>
        )}
        {opened.kind === 'rank-table' && (
          <button type="button" onClick={() => void activate(item.path)}>
            Show
          </button>
        )}
      </div>
    </li>
  )
}
