import { useAppStore } from '../../store/app-store'
import { ElidedPath } from '../../viz/ElidedPath'

/** Where the explorer's shapes, dtypes and bytes come from: the paired checkpoint folder, or nowhere. */
export function PairingNote() {
  const folder = useAppStore((s) => s.strategyFolder)
  const hasShapes = useAppStore((s) => s.strategy?.params.some((p) => p.shape) ?? false)
  const setView = useAppStore((s) => s.setView)
  if (folder) {
    return (
      <div className="pairing-note paired" data-testid="pairing-note" data-folder={folder}>
        <span className="muted">Shapes, dtypes and bytes from its paired checkpoint folder</span>
        <ElidedPath path={folder} className="mono" />
      </div>
    )
  }
  return (
    <div className="pairing-note unpaired" data-testid="pairing-note" role="note">
      <span>
        No checkpoint folder is paired with this strategy, so it is shown alone:{' '}
        {hasShapes
          ? 'shapes are those the strategy file records; dtypes and bytes are unknown.'
          : 'shapes, dtypes and bytes are unknown.'}
      </span>
      <button type="button" className="link" onClick={() => setView('open')}>
        Pair a folder in Open
      </button>
    </div>
  )
}
