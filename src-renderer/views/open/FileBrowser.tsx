import { useEffect, useState } from 'react'
import type { DirectoryListing } from '../../../src-main/api/contract'
import { client } from '../../api/client'
import { formatBytes } from '../../app/format'
import type { PathKind } from '../../store/ui-slice'
import { Modal } from '../../viz/Modal'

interface FileBrowserProps {
  kind: PathKind
  title: string
  onChoose(path: string): void
  onClose(): void
}

/** Browser mode's Open dialog: it browses the disk of the machine Shardscope runs on (e.g. a login node). */
export function FileBrowser({ kind, title, onChoose, onClose }: FileBrowserProps) {
  const [listing, setListing] = useState<DirectoryListing>()
  const [error, setError] = useState<string>()
  const list = (path?: string) =>
    client.request('path.list', path ? { path } : {}).then(
      (next) => {
        setError(undefined)
        setListing(next)
      },
      (err: Error) => setError(err.message)
    )
  // Opens on the home folder of the machine Shardscope runs on.
  useEffect(() => void list(), [])
  const go = (path?: string) => void list(path)
  return (
    <Modal
      title={
        <>
          {title} <span className="muted mono">{listing?.path ?? '…'}</span>
        </>
      }
      onClose={onClose}
      testId="file-browser-dialog"
      footer={
        kind !== 'file' && (
          <button
            type="button"
            className="primary"
            disabled={!listing}
            onClick={() => listing && onChoose(listing.path)}
          >
            {kind === 'folder' ? 'Choose this folder' : 'Open this folder'}
          </button>
        )
      }
    >
      {error && <div className="banner error">{error}</div>}
      <ul className="file-list" data-testid="file-browser">
        {listing?.parent && (
          <li>
            <button type="button" onClick={() => go(listing.parent)}>
              <span>⬑ .. (up)</span>
            </button>
          </li>
        )}
        {listing && listing.entries.length === 0 && (
          <li className="muted file-list-empty">
            Nothing here but hidden files (their names start with a dot).
          </li>
        )}
        {listing?.truncated && (
          <li className="muted file-list-empty" data-testid="file-browser-truncated">
            This folder holds more than the first {listing.entries.length} entries shown here; type the path
            of any other in the Open view.
          </li>
        )}
        {listing?.entries.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              disabled={entry.kind === 'file' && kind === 'folder'}
              onClick={() => (entry.kind === 'dir' ? go(entry.path) : onChoose(entry.path))}
            >
              <span>
                <span aria-hidden="true">{entry.kind === 'dir' ? '📁' : '📄'}</span> {entry.name}
              </span>
              <span className="muted">{entry.kind === 'file' ? formatBytes(entry.size) : 'folder'}</span>
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  )
}
