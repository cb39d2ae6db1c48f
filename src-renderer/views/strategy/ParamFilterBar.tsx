import type { RefObject } from 'react'
import { useAppStore } from '../../store/app-store'
import type { ParamFilters } from '../../store/selection-slice'

interface ParamFilterBarProps {
  searchRef: RefObject<HTMLInputElement | null>
  stages: number[]
}

const NO_FILTERS: ParamFilters = { stage: 'all', sharding: 'all', kind: 'all' }

/** Search box and the stage / sharding / kind filters, all kept in the store so other views agree. */
export function ParamFilterBar({ searchRef, stages }: ParamFilterBarProps) {
  const search = useAppStore((s) => s.search)
  const setSearch = useAppStore((s) => s.setSearch)
  const filters = useAppStore((s) => s.filters)
  const setFilters = useAppStore((s) => s.setFilters)
  const filtered =
    search !== '' || filters.stage !== 'all' || filters.sharding !== 'all' || filters.kind !== 'all'

  return (
    <div className="param-filters" role="search">
      <input
        ref={searchRef}
        type="search"
        className="param-search"
        aria-label="Search parameters"
        placeholder="Search parameters   ( / )"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && search) {
            e.preventDefault()
            setSearch('')
          }
        }}
      />
      <select
        aria-label="Stage"
        value={String(filters.stage)}
        onChange={(e) => setFilters({ stage: e.target.value === 'all' ? 'all' : Number(e.target.value) })}
      >
        <option value="all">All stages</option>
        {stages.map((stage) => (
          <option key={stage} value={stage}>
            Stage {stage}
          </option>
        ))}
      </select>
      <select
        aria-label="Sharding"
        value={filters.sharding}
        onChange={(e) => setFilters({ sharding: e.target.value as ParamFilters['sharding'] })}
      >
        <option value="all">Sharded and replicated</option>
        <option value="sharded">Sharded only</option>
        <option value="replicated">Replicated only</option>
      </select>
      <select
        aria-label="Kind"
        value={filters.kind}
        onChange={(e) => setFilters({ kind: e.target.value as ParamFilters['kind'] })}
      >
        <option value="all">Weights and optimizer states</option>
        <option value="weights">Weights only</option>
        <option value="optimizer">Optimizer states only</option>
      </select>
      {filtered && (
        <button
          type="button"
          onClick={() => {
            setSearch('')
            setFilters(NO_FILTERS)
          }}
        >
          Clear
        </button>
      )}
    </div>
  )
}
