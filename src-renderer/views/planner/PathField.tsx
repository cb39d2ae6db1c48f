import { useId } from 'react'
import type { ItemKind } from '../../../src-main/api/contract'
import { baseName } from '../../app/format'
import { useAppStore } from '../../store/app-store'

interface PathFieldProps {
  label: string
  value: string | undefined
  placeholder?: string
  /** Offer the opened items of this kind as one-click choices. */
  kind?: Extract<ItemKind, 'strategy' | 'checkpoint-folder'>
  onChange(path: string): void
}

const KIND_WORDS = { strategy: 'strategy', 'checkpoint-folder': 'folder' } as const

/** A path typed or pasted, or taken from what was opened this session. */
export function PathField({ label, value, placeholder, kind, onChange }: PathFieldProps) {
  const id = useId()
  const items = useAppStore((s) => s.items)
  const choices = kind ? items.filter((i) => i.ok && i.kind === kind) : []
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="path-row">
        <input
          id={id}
          type="text"
          className="mono"
          aria-label={label}
          value={value ?? ''}
          placeholder={placeholder}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
        {kind && (
          <select
            aria-label={`Use opened ${KIND_WORDS[kind]} for ${label.toLowerCase()}`}
            value=""
            disabled={choices.length === 0}
            onChange={(e) => e.target.value && onChange(e.target.value)}
          >
            <option value="">Use opened…</option>
            {choices.map((item) => (
              <option key={item.path} value={item.path} title={item.path}>
                {baseName(item.path)}
              </option>
            ))}
          </select>
        )}
      </div>
    </div>
  )
}
