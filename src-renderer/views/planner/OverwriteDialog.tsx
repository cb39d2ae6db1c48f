import { plural } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { ElidedPath } from '../../viz/ElidedPath'
import { Modal } from '../../viz/Modal'

const SHOWN = 20

/** The destination holds another conversion: nothing is replaced until the user has read what and said yes. */
export function OverwriteDialog() {
  const ask = useAppStore((s) => s.overwriteAsk)
  const confirm = useAppStore((s) => s.confirmOverwrite)
  const dismiss = useAppStore((s) => s.dismissOverwrite)
  if (!ask) return null
  const files = ask.paths.length
  return (
    <Modal
      title="Replace the previous conversion?"
      onClose={dismiss}
      testId="overwrite-dialog"
      footer={
        <>
          <button type="button" onClick={dismiss}>
            Keep it
          </button>
          <button type="button" className="danger" onClick={() => void confirm()}>
            {files > 0 ? `Replace ${plural(files, 'file')}` : 'Replace its manifest'}
          </button>
        </>
      }
    >
      <ElidedPath path={ask.folder} className="mono" />
      <p>{ask.message}</p>
      {files > 0 && (
        <>
          <p className="muted">
            These are deleted before anything is written; files Shardscope did not write are kept:
          </p>
          <ul className="mono overwrite-list" data-testid="overwrite-files">
            {ask.paths.slice(0, SHOWN).map((p) => (
              <li key={p}>{p}</li>
            ))}
            {files > SHOWN && <li className="muted">… and {files - SHOWN} more</li>}
          </ul>
        </>
      )}
    </Modal>
  )
}
