import { useEffect, useState, type FormEvent } from 'react'
import type { DirectoryListing } from '../../../src-main/api/contract'
import { client } from '../../api/client'
import { formatBytes } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import type { PathKind } from '../../store/ui-slice'
import { Modal } from '../../viz/Modal'

interface FileBrowserProps {
  kind: PathKind
  title: string
  /** The folder to open in; the home folder when absent or no longer there. */
  start?: string
  onChoose(path: string): void
  onClose(): void
}

/** Browser mode's Open dialog: it browses the disk of the machine Shardscope runs on (e.g. a login node). */
export function FileBrowser({ kind, title, start, onChoose, onClose }: FileBrowserProps) {
  const [listing, setListing] = useState<DirectoryListing>()
  const [error, setError] = useState<string>()
  const [typed, setTyped] = useState('')
  const setLastBrowsedFolder = useAppStore((s) => s.setLastBrowsedFolder)
  const show = (next: DirectoryListing) => {
    setError(undefined)
    setListing(next)
    setLastBrowsedFolder(next.path)
  }
  const list = (path?: string) =>
    client.request('path.list', path ? { path } : {}).then(show, (err: Error) => setError(err.message))
  useEffect(() => {
    // A start folder since removed opens the home folder instead of an error.
    if (start) void client.request('path.list', { path: start }).then(show, () => list())
    else void list()
    // eslint-disable-next-line react-hooks/exhaustive-deps -- lists once, when the dialog opens
  }, [])
  const go = (path?: string) => void list(path)
  /** A typed folder is listed; a typed file is chosen, where a file is asked for. */
  const goTyped = async (event: FormEvent) => {
    event.preventDefault()
    const path = typed.trim()
    if (!path.startsWith('/')) {
      setError(`Type a full path, starting with "/" (on the machine Shardscope runs on).`)
      return
    }
    let listing: DirectoryListing
    try {
      listing = await client.request('path.list', { path })
    } catch (err) {
      setError((err as Error).message)
      return
    }
    if (!listing.file) {
      show(listing)
      setTyped('')
    } else if (kind !== 'folder') onChoose(listing.path)
    else setError(`${listing.path} is a file; choose a folder.`)
  }
  return (
    <Modal
      title={
        <>
          {title}{' '}
          <span className="muted mono" data-testid="file-browser-path">
            {listing?.path ?? '…'}
          </span>
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
      <form className="file-location" onSubmit={(e) => void goTyped(e)}>
        <input
          type="text"
          className="mono"
          aria-label="Go to a path"
          placeholder="Type or paste a path and press Enter"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" disabled={!typed.trim()}>
          Go
        </button>
      </form>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      <ul className="file-list" data-testid="file-browser">
        {listing?.parent && (
          <li>
            <button type="button" onClick={() => go(listing.parent)}>
              <span>⬑ .. (up)</span>
            </button>
          </li>
        )}
        {listing && listing.entries.length === 0 && (
          <li className="muted file-list-empty" data-testid="file-browser-empty">
            {listing.hidden > 0
              ? `Nothing here but ${listing.hidden.toLocaleString('en-US')} hidden ${listing.hidden === 1 ? 'entry' : 'entries'} (names starting with a dot); type a path above to open one.`
              : 'This folder is empty.'}
          </li>
        )}
        {listing?.truncated && (
          <li className="muted file-list-empty" data-testid="file-browser-truncated">
            This folder holds more than the first {listing.entries.length} entries shown here; type the path
            of any other above.
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
