import { useCallback, useEffect, useMemo, useRef } from 'react'
import { useSelectedRow } from '../../app/selectors'
import { useAppStore } from '../../store/app-store'
import { SelectionEmptyState } from '../../viz/layout/SelectionEmptyState'
import { ViewFrame } from '../../viz/ViewFrame'
import { useCopyLayout } from './copy-layout'
import { ParamFilterBar } from './ParamFilterBar'
import { filterRows, indexRows, sortRows } from './param-rows'
import { ParamTable } from './ParamTable'
import { StrategySubtitle } from './StrategySubtitle'
import { PairingNote } from './PairingNote'
import { StrategyProblems } from './StrategyProblems'
import './strategy.css'

/** Every parameter layout of the active strategy: search, filter, sort, select, copy. */
export function StrategyExplorer() {
  const strategy = useAppStore((s) => s.strategy)
  const search = useAppStore((s) => s.search)
  const filters = useAppStore((s) => s.filters)
  const sort = useAppStore((s) => s.sort)
  const selected = useAppStore((s) => s.selectedParam)
  const selectParam = useAppStore((s) => s.selectParam)
  const setView = useAppStore((s) => s.setView)
  const selectedRow = useSelectedRow()
  const { copy, status } = useCopyLayout(selectedRow)
  const searchRef = useRef<HTMLInputElement>(null)

  const indexed = useMemo(() => indexRows(strategy?.params ?? []), [strategy])
  const stages = useMemo(() => [...new Set(indexed.map((r) => r.row.stage))].sort((a, b) => a - b), [indexed])
  const rows = useMemo(
    () => sortRows(filterRows(indexed, search, filters), sort.key, sort.direction),
    [indexed, search, filters, sort]
  )
  const selectedIndex = useMemo(
    () => rows.findIndex((r) => r.row.name === selected?.name && r.row.stage === selected?.stage),
    [rows, selected]
  )

  const onSelect = useCallback(
    (index: number) => {
      const row = rows[index]?.row
      if (row) selectParam({ name: row.name, stage: row.stage })
    },
    [rows, selectParam]
  )
  const onOpen = useCallback(
    (index: number) => {
      onSelect(index)
      setView('tensor-layout')
    },
    [onSelect, setView]
  )

  useEffect(() => {
    // "/" jumps to the search box from anywhere in the view, unless the user is typing somewhere.
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return
      const target = event.target as HTMLElement | null
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)))
        return
      event.preventDefault()
      searchRef.current?.focus()
      searchRef.current?.select()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  if (!strategy) {
    return (
      <ViewFrame title="Strategy explorer" testId="view-strategy">
        <SelectionEmptyState />
      </ViewFrame>
    )
  }

  const total = strategy.params.length
  return (
    <ViewFrame
      title="Strategy explorer"
      subtitle={<StrategySubtitle strategy={strategy} />}
      testId="view-strategy"
      actions={
        <button
          type="button"
          onClick={copy}
          disabled={!selectedRow}
          title="Copy the selected parameter's layout as JSON (Ctrl+C in the table)"
          className={status === 'copied' ? 'copy-done' : undefined}
        >
          {status === 'copied' ? 'Copied ✓' : status === 'failed' ? 'Copy failed' : 'Copy layout'}
        </button>
      }
    >
      <PairingNote />
      <StrategyProblems problems={strategy.problems} />
      <div className="param-toolbar">
        <ParamFilterBar searchRef={searchRef} stages={stages} />
        <div className="param-count" data-testid="param-count" role="status">
          {rows.length} of {total} parameter layout{total === 1 ? '' : 's'}
        </div>
      </div>
      <ParamTable
        rows={rows}
        selectedIndex={selectedIndex}
        onSelect={onSelect}
        onOpen={onOpen}
        onCopy={copy}
      />
      <div className="param-hints muted" aria-hidden="true">
        ↑ ↓ move · Enter tensor layout · Ctrl+C copy layout · / search
      </div>
      <div className="visually-hidden" role="status" aria-live="polite">
        {status === 'copied'
          ? 'Layout copied to the clipboard'
          : status === 'failed'
            ? 'The layout could not be copied'
            : ''}
      </div>
    </ViewFrame>
  )
}
