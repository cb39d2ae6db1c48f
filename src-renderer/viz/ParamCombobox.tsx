import { useId, useMemo, useRef, useState } from 'react'
import type { ParamRow } from '../../src-main/api/contract'

interface ParamComboboxProps {
  rows: readonly ParamRow[]
  value: { name: string; stage: number } | undefined
  onChange(param: { name: string; stage: number }): void
}

// Tens of thousands of parameters: the list shows the first matches, typing narrows it.
const SHOWN = 200

/** Picks a parameter by typing part of its name: a combobox with its list of matches (search as you type). */
export function ParamCombobox({ rows, value, onChange }: ParamComboboxProps) {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const [query, setQuery] = useState<string>()
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(0)
  const tied = useMemo(() => new Set(rows.filter((r) => r.stages.length > 1).map((r) => r.name)), [rows])
  const lower = useMemo(() => rows.map((r) => r.name.toLowerCase()), [rows])
  const matches = useMemo(() => {
    const words = (query ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    const found: ParamRow[] = []
    let total = 0
    for (let i = 0; i < rows.length; i++) {
      if (!words.every((w) => lower[i]!.includes(w))) continue
      total++
      if (found.length < SHOWN) found.push(rows[i]!)
    }
    return { found, total }
  }, [rows, lower, query])
  const label = (row: { name: string; stage: number }) =>
    tied.has(row.name) || rows.some((r) => r.stage !== 0) ? `${row.name} · stage ${row.stage}` : row.name
  const choose = (row: ParamRow | undefined) => {
    if (!row) return
    onChange({ name: row.name, stage: row.stage })
    setQuery(undefined)
    setOpen(false)
    input.current?.blur()
  }
  const current = Math.min(active, matches.found.length - 1)
  return (
    <div className="param-combobox">
      <label htmlFor={id}>Parameter</label>
      <div className="combobox-box">
        <input
          ref={input}
          id={id}
          type="text"
          className="mono"
          role="combobox"
          aria-expanded={open}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={open && current >= 0 ? `${id}-option-${current}` : undefined}
          placeholder={`Type to search ${rows.length.toLocaleString('en-US')} parameters`}
          spellCheck={false}
          value={query ?? (value ? label(value) : '')}
          onFocus={(e) => {
            setQuery('')
            setOpen(true)
            setActive(0)
            e.target.select()
          }}
          onBlur={() => {
            setQuery(undefined)
            setOpen(false)
          }}
          onChange={(e) => {
            setQuery(e.target.value)
            setOpen(true)
            setActive(0)
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault()
              setOpen(true)
              const n = matches.found.length
              if (n > 0) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : -1) + n) % n)
            } else if (e.key === 'Enter') {
              e.preventDefault()
              choose(matches.found[current])
            } else if (e.key === 'Escape' && open) {
              e.preventDefault()
              setQuery(undefined)
              setOpen(false)
            }
          }}
        />
        {open && (
          <ul id={`${id}-list`} role="listbox" aria-label="Matching parameters" className="combobox-list">
            {matches.found.map((row, i) => (
              <li
                key={`${row.stage}:${row.name}`}
                id={`${id}-option-${i}`}
                role="option"
                aria-selected={i === current}
                className={i === current ? 'active' : undefined}
                data-testid="param-option"
                data-name={row.name}
                onMouseDown={(e) => {
                  // Before the input's blur closes the list.
                  e.preventDefault()
                  choose(row)
                }}
                onMouseMove={() => setActive(i)}
              >
                <span className="mono">{row.name}</span>
                <span className="muted"> stage {row.stage}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {open && (
        <span className="muted combobox-count" role="status">
          {matches.total === 0
            ? 'no match'
            : matches.total > SHOWN
              ? `first ${SHOWN} of ${matches.total.toLocaleString('en-US')}`
              : `${matches.total.toLocaleString('en-US')} match${matches.total === 1 ? '' : 'es'}`}
        </span>
      )}
    </div>
  )
}
