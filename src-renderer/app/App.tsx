import { useEffect } from 'react'
import { client } from '../api/client'
import { useAppStore } from '../store/app-store'
import type { ViewId } from '../store/selection-slice'
import { ClusterView } from '../views/cluster/ClusterView'
import { DeviceMatrixView } from '../views/device-matrix/DeviceMatrixView'
import { FolderView } from '../views/folder/FolderView'
import { OpenView } from '../views/open/OpenView'
import { PipelineView } from '../views/pipeline/PipelineView'
import { PlannerView } from '../views/planner/PlannerView'
import { RunView } from '../views/run/RunView'
import { StrategyExplorer } from '../views/strategy/StrategyExplorer'
import { TensorLayoutView } from '../views/tensor-layout/TensorLayoutView'
import { baseName } from './format'
import './app.css'

const VIEWS: { id: ViewId; label: string; key: string; render: () => React.ReactNode }[] = [
  { id: 'open', label: 'Open', key: '1', render: () => <OpenView /> },
  { id: 'strategy', label: 'Strategy explorer', key: '2', render: () => <StrategyExplorer /> },
  { id: 'device-matrix', label: 'Device matrix', key: '3', render: () => <DeviceMatrixView /> },
  { id: 'tensor-layout', label: 'Tensor layout', key: '4', render: () => <TensorLayoutView /> },
  { id: 'pipeline', label: 'Pipeline stages', key: '5', render: () => <PipelineView /> },
  { id: 'folder', label: 'Checkpoint folder', key: '6', render: () => <FolderView /> },
  { id: 'planner', label: 'Transform planner', key: '7', render: () => <PlannerView /> },
  { id: 'run', label: 'Run', key: '8', render: () => <RunView /> },
  { id: 'cluster', label: 'Cluster', key: '9', render: () => <ClusterView /> }
]

export function App() {
  const view = useAppStore((s) => s.view)
  const setView = useAppStore((s) => s.setView)
  const info = useAppStore((s) => s.info)
  const busy = useAppStore((s) => s.busy)
  const error = useAppStore((s) => s.error)
  const clearError = useAppStore((s) => s.clearError)
  const strategyPath = useAppStore((s) => s.strategyPath)
  const folderPath = useAppStore((s) => s.folderPath)
  const job = useAppStore((s) => s.job)

  useEffect(() => {
    const store = useAppStore.getState()
    const unsubscribe = client.onEvent((event) => {
      useAppStore.getState().handleEvent(event)
      useAppStore.getState().handleClusterEvent(event)
    })
    void store.init().then(() => {
      // With nothing else asked for, the app opens on the built-in sample workspace.
      const params = new URLSearchParams(location.search)
      if (params.get('sample') !== '0') void useAppStore.getState().openSample()
    })
    return unsubscribe
  }, [])

  useEffect(() => {
    // Alt+1…9 switch views from anywhere.
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey) return
      const target = VIEWS.find((v) => v.key === event.key)
      if (target) {
        event.preventDefault()
        setView(target.id)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [setView])

  const running = job?.progress?.state === 'running' && !job.result && !job.failure
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Views">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◧
          </span>{' '}
          Shardscope
        </div>
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <button
                type="button"
                className={v.id === view ? 'active' : ''}
                aria-current={v.id === view ? 'page' : undefined}
                onClick={() => setView(v.id)}
                title={`${v.label} (Alt+${v.key})`}
              >
                {v.label}
                {v.id === 'run' && running && <span className="badge">running</span>}
              </button>
            </li>
          ))}
        </ul>
        <div className="workspace-summary">
          <div title={strategyPath}>
            <span className="label">Strategy</span> {baseName(strategyPath) || '—'}
          </div>
          <div title={folderPath}>
            <span className="label">Checkpoint</span> {baseName(folderPath) || '—'}
          </div>
          <div className="shell">
            {info ? (info.shell === 'electron' ? 'Desktop app' : 'Browser mode') : ''}
          </div>
        </div>
      </nav>
      <main className="content">
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
        {VIEWS.find((v) => v.id === view)!.render()}
      </main>
    </div>
  )
}
