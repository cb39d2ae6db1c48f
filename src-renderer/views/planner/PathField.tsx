import { useId, useState, type DragEvent } from 'react'
import type { ItemKind } from '../../../src-main/api/contract'
import { client } from '../../api/client'
import { choosePath, folderOf } from '../../app/choose-path'
import { useAppStore } from '../../store/app-store'
import type { PathKind } from '../../store/ui-slice'
import { ElidedPath } from '../../viz/ElidedPath'
import { readDrop } from '../open/read-drop'

interface PathFieldProps {
  label: string
  value: string | undefined
  placeholder?: string
  /** What Browse… asks for. */
  browse: PathKind
  /** Offer the open workspace items of this kind as one-click choices. */
  kind?: Extract<ItemKind, 'strategy' | 'checkpoint-folder'>
  error?: string
  onChange(path: string): void
}

const KIND_WORDS = { strategy: 'strategy', 'checkpoint-folder': 'folder' } as const

/**
 * A path typed, pasted, dropped, browsed for, or taken from the workspace. While not being edited it shows
 * the path elided in the middle, so the file name stays in view however long the folders above it are.
 */
export function PathField({ label, value, placeholder, browse, kind, error, onChange }: PathFieldProps) {
  const id = useId()
  const items = useAppStore((s) => s.items)
  const [editing, setEditing] = useState(false)
  const choices = kind ? items.filter((i) => i.opened.ok && i.opened.kind === kind) : []
  // A suggested path (the default destination) keeps its file name in view like a typed one.
  const elidedPlaceholder = !value && !editing && placeholder?.startsWith('/')
  const onDrop = async (event: DragEvent) => {
    event.preventDefault()
    event.stopPropagation()
    const dropped = await readDrop(event.dataTransfer, client.pathForFile).catch(() => undefined)
    if (dropped?.kind === 'paths' && dropped.paths[0]) onChange(dropped.paths[0])
  }
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="path-row">
        <div className="path-input">
          <input
            id={id}
            type="text"
            className={`mono${value && !editing ? ' covered' : ''}${elidedPlaceholder ? ' placeholder-covered' : ''}`}
            value={value ?? ''}
            placeholder={placeholder}
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onFocus={() => setEditing(true)}
            onBlur={() => setEditing(false)}
            onChange={(e) => onChange(e.target.value)}
            onDrop={(e) => void onDrop(e)}
          />
          {value && !editing && (
            <div className="path-cover mono" aria-hidden="true">
              <ElidedPath path={value} />
            </div>
          )}
          {elidedPlaceholder && (
            <div className="path-cover placeholder mono" aria-hidden="true">
              <ElidedPath path={placeholder!} />
            </div>
          )}
        </div>
        <button
          type="button"
          aria-label={`Browse for ${label.toLowerCase()}`}
          onClick={async () => {
            const path = await choosePath(browse, label, folderOf(value))
            if (path) onChange(path)
          }}
        >
          Browse…
        </button>
        {kind && (
          <select
            aria-label={`Use an open ${KIND_WORDS[kind]} for ${label.toLowerCase()}`}
            value=""
            disabled={choices.length === 0}
            onChange={(e) => e.target.value && onChange(e.target.value)}
          >
            <option value="">Use open…</option>
            {choices.map((item) => (
              <option key={item.path} value={item.path} title={item.path}>
                {item.path}
              </option>
            ))}
          </select>
        )}
      </div>
      {error && (
        <div className="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      )}
    </div>
  )
}
