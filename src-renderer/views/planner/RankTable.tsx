import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { PlanRankSummary, PlanSummary } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { filterRanks, visibleRows, type RankFilterMode } from './rank-filter'
import { rankRanges } from './rank-ranges'

/** Must match `table.plan-ranks tbody tr` in planner.css. */
const ROW_HEIGHT = 30
/** Up to this many rows the table is drawn whole; beyond, only the rows in view. */
const WHOLE = 100
const VIEWPORT = 420

interface RankTableProps {
  plan: PlanSummary
  selectedRank: number
  onSelectRank(rank: number): void
}

/**
 * What each destination rank will write, read and hold in memory. A search keeps the ranks asked for, or those
 * reading given source ranks; a long table draws only the rows in view, so 4,096 outputs scroll like 40.
 */
export function RankTable({ plan, selectedRank, onSelectRank }: RankTableProps) {
  const [text, setText] = useState('')
  const [mode, setMode] = useState<RankFilterMode>('destination')
  const [scrollTop, setScrollTop] = useState(0)
  const scrollRef = useRef<HTMLDivElement>(null)
  const focusAfter = useRef(false)
  const { ranks, problem } = useMemo(() => filterRanks(plan.ranks, text, mode), [plan.ranks, text, mode])
  const virtual = ranks.length > WHOLE
  const [first, end] = virtual
    ? visibleRows(scrollTop, VIEWPORT, ROW_HEIGHT, ranks.length)
    : [0, ranks.length]
  const selectedIndex = ranks.findIndex((r) => r.rank === selectedRank)

  // Keyboard moves keep the selected row in view and focused, also when it has to be drawn first.
  useEffect(() => {
    const element = scrollRef.current
    if (!focusAfter.current || !element || selectedIndex < 0) return
    const top = selectedIndex * ROW_HEIGHT
    const header = ROW_HEIGHT
    if (top < element.scrollTop) element.scrollTop = top
    else if (top + ROW_HEIGHT + header > element.scrollTop + element.clientHeight)
      element.scrollTop = top + ROW_HEIGHT + header - element.clientHeight
    const row = element.querySelector<HTMLElement>(`tr[data-rank="${selectedRank}"]`)
    if (row) {
      focusAfter.current = false
      row.focus()
    } else setScrollTop(element.scrollTop)
  }, [selectedIndex, selectedRank, scrollTop])

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const page = Math.floor(VIEWPORT / ROW_HEIGHT) - 1
    const targets: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: Math.min(ranks.length - 1, index + page),
      PageUp: Math.max(0, index - page),
      Home: 0,
      End: ranks.length - 1,
      Enter: index,
      ' ': index
    }
    const target = targets[event.key]
    if (target === undefined || target < 0 || target >= ranks.length) return
    event.preventDefault()
    focusAfter.current = true
    onSelectRank(ranks[target]!.rank)
  }

  const sum = (key: 'params' | 'bytesRead' | 'bytesWritten') => plan.ranks.reduce((s, r) => s + r[key], 0)
  const peak = plan.ranks.reduce((m, r) => Math.max(m, r.peakBuffer), 0)
  return (
    <>
      <div className="rank-search">
        <label htmlFor="rank-search">Find</label>
        <select aria-label="Find by" value={mode} onChange={(e) => setMode(e.target.value as RankFilterMode)}>
          <option value="destination">destination ranks</option>
          <option value="source">outputs reading source ranks</option>
        </select>
        <input
          id="rank-search"
          className="mono"
          placeholder="e.g. 0-3, 12"
          value={text}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        <span className={problem ? 'field-error' : 'muted'} data-testid="rank-search-count" role="status">
          {problem ?? `${ranks.length.toLocaleString()} of ${plan.ranks.length.toLocaleString()} outputs`}
        </span>
      </div>
      <div
        className={virtual ? 'table-scroll rank-table-scroll' : 'table-scroll'}
        ref={scrollRef}
        style={virtual ? { maxHeight: VIEWPORT } : undefined}
        onScroll={virtual ? (e) => setScrollTop(e.currentTarget.scrollTop) : undefined}
        data-testid="plan-rank-scroll"
      >
        <table
          className="data plan-ranks"
          role="grid"
          aria-label="Destination ranks: choose one to inspect"
          aria-rowcount={ranks.length + 2}
        >
          <thead>
            <tr>
              <th scope="col" className="num">
                Rank
              </th>
              <th scope="col" className="num">
                Stage
              </th>
              <th scope="col">Output file</th>
              <th scope="col">Reads source ranks</th>
              <th scope="col" className="num">
                Params
              </th>
              <th scope="col" className="num">
                Bytes read
              </th>
              <th scope="col" className="num">
                Bytes written
              </th>
              <th scope="col" className="num" title="The largest buffer held at once while writing this rank">
                Peak memory
              </th>
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }} />}
            {ranks.slice(first, end).map((rank, offset) => (
              <RankRow
                key={rank.rank}
                rank={rank}
                rowIndex={first + offset}
                selected={rank.rank === selectedRank}
                focusable={rank.rank === selectedRank || (first + offset === 0 && selectedIndex < 0)}
                onSelect={onSelectRank}
                onKeyDown={onKeyDown}
              />
            ))}
            {end < ranks.length && (
              <tr aria-hidden="true" style={{ height: (ranks.length - end) * ROW_HEIGHT }} />
            )}
          </tbody>
          <tfoot>
            <tr className="totals" data-testid="plan-totals">
              <td colSpan={4} role="rowheader">
                Total · {plan.ranks.length} output{plan.ranks.length === 1 ? '' : 's'}
              </td>
              <td className="num">{sum('params').toLocaleString()}</td>
              <td className="num">{formatBytes(sum('bytesRead'))}</td>
              <td className="num">{formatBytes(sum('bytesWritten'))}</td>
              <td className="num" title="The largest peak of any one rank">
                {formatBytes(peak)} max
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  )
}

interface RankRowProps {
  rank: PlanRankSummary
  rowIndex: number
  selected: boolean
  focusable: boolean
  onSelect(rank: number): void
  onKeyDown(event: KeyboardEvent, index: number): void
}

function RankRow({ rank, rowIndex, selected, focusable, onSelect, onKeyDown }: RankRowProps) {
  return (
    <tr
      data-testid="plan-rank"
      data-rank={rank.rank}
      aria-rowindex={rowIndex + 2}
      className={selected ? 'selected' : undefined}
      aria-selected={selected}
      tabIndex={focusable ? 0 : -1}
      onClick={() => onSelect(rank.rank)}
      onKeyDown={(e) => onKeyDown(e, rowIndex)}
    >
      <td className="num">{rank.rank}</td>
      <td className="num">{rank.stage}</td>
      <td className="mono" title={rank.output}>
        {rank.output}
      </td>
      <td className="mono" title={rank.sourceRanks.join(', ')}>
        {rankRanges(rank.sourceRanks)}
      </td>
      <td className="num">{rank.params.toLocaleString()}</td>
      <td className="num">{formatBytes(rank.bytesRead)}</td>
      <td className="num">{formatBytes(rank.bytesWritten)}</td>
      <td className="num">{formatBytes(rank.peakBuffer)}</td>
    </tr>
  )
}
