import { useAppStore } from '../../store/app-store'
import { COLUMNS } from './columns'

/** Column headers; each is a button that sorts by it, clicking again reverses the direction. */
export function ParamTableHeader() {
  const sort = useAppStore((s) => s.sort)
  const setSort = useAppStore((s) => s.setSort)
  return (
    <div className="param-header param-cols" role="row" aria-rowindex={1}>
      {COLUMNS.map((column) => {
        const active = sort.key === column.key
        // Numeric columns are right-aligned, so their arrow goes first to keep labels flush with the numbers.
        const arrow = (
          <span className="sort-arrow" aria-hidden="true">
            {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
          </span>
        )
        return (
          <div
            key={column.key}
            role="columnheader"
            className={column.numeric ? 'num' : undefined}
            aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
          >
            <button
              type="button"
              className={active ? 'sort active' : 'sort'}
              // "Sort by …" also keeps these apart from the sidebar's view buttons of the same name (Device matrix).
              aria-label={`Sort by ${column.label}`}
              title={
                column.title ? `${column.title} — click to sort` : `Sort by ${column.label.toLowerCase()}`
              }
              onClick={() => setSort(column.key)}
            >
              {column.numeric && arrow}
              {column.label}
              {!column.numeric && arrow}
            </button>
          </div>
        )
      })}
    </div>
  )
}
