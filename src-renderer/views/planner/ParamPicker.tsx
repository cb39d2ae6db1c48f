import { useMemo, useState } from 'react'

interface ParamPickerProps {
  params: string[]
  value: string | undefined
  onChange(name: string): void
}

// A model can have tens of thousands of parameters; a select that long helps nobody, the filter does.
const MAX_OPTIONS = 500

/** A select over the plan's parameters with a filter box in front of it. */
export function ParamPicker({ params, value, onChange }: ParamPickerProps) {
  const [filter, setFilter] = useState('')
  const matches = useMemo(() => {
    const needle = filter.trim().toLowerCase()
    return needle ? params.filter((p) => p.toLowerCase().includes(needle)) : params
  }, [params, filter])
  const shown = matches.slice(0, MAX_OPTIONS)
  if (value && !shown.includes(value)) shown.unshift(value)
  return (
    <div className="param-picker">
      <input
        type="search"
        aria-label="Filter parameters"
        placeholder={`Filter ${params.length.toLocaleString()} parameters…`}
        value={filter}
        onChange={(e) => {
          setFilter(e.target.value)
          const needle = e.target.value.trim().toLowerCase()
          const first = params.find((p) => p.toLowerCase().includes(needle))
          if (needle && first && !value?.toLowerCase().includes(needle)) onChange(first)
        }}
      />
      <select
        aria-label="Parameter"
        className="mono"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value)}
      >
        {!value && <option value="">Choose a parameter</option>}
        {shown.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      {matches.length > MAX_OPTIONS && (
        <span className="muted">
          first {MAX_OPTIONS} of {matches.length.toLocaleString()}
        </span>
      )}
      {filter && matches.length === 0 && <span className="muted">no match</span>}
    </div>
  )
}
