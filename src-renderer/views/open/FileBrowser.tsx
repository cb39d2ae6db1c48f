import { useEffect, useState } from 'react'
import type { DirectoryListing } from '../../../src-main/api/contract'
import { client } from '../../api/client'
import { formatBytes } from '../../app/format'

interface FileBrowserProps {
  onOpen(path: string): void
  onClose(): void
}

/** Browser mode's Open dialog: it browses the disk of the machine Shardscope runs on (e.g. a login node). */
export function FileBrowser({ onOpen, onClose }: FileBrowserProps) {
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
    <div className="modal-backdrop" role="dialog" aria-label="Open a path on the server" onClick={onClose}>
      <div className="modal" onClick={(e) => e.stopPropagation()}>
        <header>
          <strong>Open from {listing?.path ?? '…'}</strong>
          <button type="button" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        {error && <div className="banner error">{error}</div>}
        <ul className="file-list" data-testid="file-browser">
          {listing?.parent && (
            <li>
              <button type="button" onClick={() => go(listing.parent)}>
                ⬑ ..
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
                onClick={() => (entry.kind === 'dir' ? go(entry.path) : onOpen(entry.path))}
              >
                <span>
                  {entry.kind === 'dir' ? '📁' : '📄'} {entry.name}
                </span>
                <span className="muted">{entry.kind === 'file' ? formatBytes(entry.size) : ''}</span>
              </button>
            </li>
          ))}
        </ul>
        <footer>
          <button
            type="button"
            className="primary"
            disabled={!listing}
            onClick={() => listing && onOpen(listing.path)}
          >
            Open this folder
          </button>
        </footer>
      </div>
    </div>
  )
}
