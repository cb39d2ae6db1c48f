import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { IndexedRow } from './param-rows'
import { ParamRowView } from './ParamRowView'
import { ParamTableHeader } from './ParamTableHeader'

/** Must match .param-row / .param-header heights in strategy.css. */
const ROW_HEIGHT = 28
const HEADER_HEIGHT = 32
const OVERSCAN = 8
/** The rendered window moves in steps of this many rows: most scroll frames then re-render nothing. */
const STEP = 8

interface ParamTableProps {
  rows: IndexedRow[]
  selectedIndex: number
  onSelect(index: number): void
  onOpen(index: number): void
  onCopy(): void
}

/**
 * The parameter table, virtualised: only the rows in view (plus a few) exist in the DOM, placed over a spacer
 * as tall as all rows, so 10,000 layouts scroll like 100.
 */
export function ParamTable({ rows, selectedIndex, onSelect, onOpen, onCopy }: ParamTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const [windowStep, setWindowStep] = useState(0)
  const [viewportHeight, setViewportHeight] = useState(600)

  useEffect(() => {
    const element = scrollRef.current
    if (!element) return
    const observer = new ResizeObserver(() => setViewportHeight(element.clientHeight))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    const element = scrollRef.current
    if (!element || selectedIndex < 0) return
    const rowTop = selectedIndex * ROW_HEIGHT
    const visibleHeight = element.clientHeight - HEADER_HEIGHT
    if (rowTop < element.scrollTop) element.scrollTop = rowTop
    else if (rowTop + ROW_HEIGHT > element.scrollTop + visibleHeight)
      element.scrollTop = rowTop + ROW_HEIGHT - visibleHeight
  }, [selectedIndex])

  const pageRows = Math.max(1, Math.floor((viewportHeight - HEADER_HEIGHT) / ROW_HEIGHT) - 1)
  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'c') {
      // Text the user selected by hand wins over the layout.
      if (window.getSelection()?.toString()) return
      event.preventDefault()
      onCopy()
      return
    }
    if (event.key === 'Enter' && selectedIndex >= 0) {
      event.preventDefault()
      onOpen(selectedIndex)
      return
    }
    const last = rows.length - 1
    const moves: Record<string, number> = {
      ArrowDown: selectedIndex < 0 ? 0 : selectedIndex + 1,
      ArrowUp: selectedIndex < 0 ? 0 : selectedIndex - 1,
      PageDown: Math.max(0, selectedIndex) + pageRows,
      PageUp: Math.max(0, selectedIndex) - pageRows,
      Home: 0,
      End: last
    }
    const target = moves[event.key]
    if (target === undefined || last < 0) return
    event.preventDefault()
    onSelect(Math.min(last, Math.max(0, target)))
  }

  const first = Math.max(0, windowStep * STEP - OVERSCAN)
  const end = Math.min(
    rows.length,
    windowStep * STEP + Math.ceil(viewportHeight / ROW_HEIGHT) + STEP + OVERSCAN
  )
  const visible = rows.slice(first, end)
  const pool = Math.ceil(viewportHeight / ROW_HEIGHT) + STEP + 2 * OVERSCAN + 1
  const activeVisible = selectedIndex >= first && selectedIndex < end

  return (
    <div
      ref={scrollRef}
      className="param-table"
      role="grid"
      aria-label="Parameter layouts"
      aria-rowcount={rows.length + 1}
      aria-activedescendant={activeVisible ? `param-row-${selectedIndex}` : undefined}
      tabIndex={0}
      data-testid="param-table"
      onScroll={(e) => setWindowStep(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT / STEP))}
      onKeyDown={onKeyDown}
    >
      <ParamTableHeader />
      <div className="param-body" role="rowgroup" style={{ height: rows.length * ROW_HEIGHT }}>
        {visible.map((item, i) => (
          <ParamRowView
            // Keyed by slot, not by parameter: a row scrolled out is reused for one scrolled in, so scrolling
            // rewrites a few texts instead of removing and creating DOM rows.
            key={(first + i) % pool}
            row={item.row}
            index={first + i}
            top={(first + i) * ROW_HEIGHT}
            selected={first + i === selectedIndex}
            onSelect={onSelect}
            onOpen={onOpen}
          />
        ))}
      </div>
      {rows.length === 0 && (
        <div className="param-none">No parameter layout matches the search and filters.</div>
      )}
    </div>
  )
}
