import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { IndexedRow } from './param-rows'
import { ParamRowView } from './ParamRowView'
import { ParamTableHeader } from './ParamTableHeader'
import { HEADER_HEIGHT, ROW_HEIGHT, rowWindow, STEP } from './row-window'

/** How long scrolling must rest before the DOM rows are put back in reading order. */
const REST_MS = 250

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
  const stepRef = useRef(0)
  const [resting, setResting] = useState(true)
  const restTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const [viewportHeight, setViewportHeight] = useState(600)
  useEffect(() => () => clearTimeout(restTimer.current), [])

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

  const { first, end, rows: shown } = rowWindow(windowStep, viewportHeight, rows.length, resting)
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
      onScroll={(e) => {
        // Most scroll events stay in the same step: asking React anyway would cost a render each.
        const step = Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT / STEP)
        if (step === stepRef.current) return
        setWindowStep((stepRef.current = step))
        if (resting) setResting(false)
        clearTimeout(restTimer.current)
        restTimer.current = setTimeout(() => setResting(true), REST_MS)
      }}
      onKeyDown={onKeyDown}
    >
      <ParamTableHeader />
      <div className="param-body" role="rowgroup" style={{ height: rows.length * ROW_HEIGHT }}>
        {shown.map(([index, slot]) => (
          <ParamRowView
            key={slot}
            row={rows[index]!.row}
            index={index}
            top={index * ROW_HEIGHT}
            selected={index === selectedIndex}
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
