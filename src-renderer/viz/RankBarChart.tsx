import * as d3 from 'd3'
import type { KeyboardEvent, RefObject } from 'react'
import { stageColor } from './palette'
import { valueAxis } from './axis-ticks'
import { stageInk } from './stage-ink'
import './rank-bar-chart.css'

export interface RankBar {
  rank: number
  stage?: number
  /** Bar height; absent when there is nothing to draw (e.g. the rank's file is missing). */
  value?: number
  /** A second value drawn as a tick across the bar, e.g. the file on disk next to the expected bytes. */
  marker?: number
  missing?: boolean
  /** Drawn as usual but its rank label turns red, e.g. a rank whose file the folder lacks. */
  alert?: boolean
  /** Hover text, also shown as the SVG <title>. */
  title: string
}

interface RankBarChartProps {
  bars: RankBar[]
  unit: 'bytes' | 'count'
  valueLabel: string
  /** Space available; the chart grows wider (and scrolls) when ranks would get thinner than a few pixels. */
  width: number
  height: number
  /** data-testid of each bar; its value is in data-bytes or data-params depending on the unit. */
  barTestId: string
  markerTestId?: string
  selectedRank?: number
  onSelect(rank: number): void
  svgRef?: RefObject<SVGSVGElement | null>
  ariaLabel: string
}

const MARGIN = { top: 24, right: 12, bottom: 40, left: 68 }
const MIN_BAND = 5
const MAX_BAR = 64
const LABEL_SPACING = 28

/** Bars per rank, tinted and labelled by pipeline stage; clicking a bar selects its rank. */
export function RankBarChart(props: RankBarChartProps) {
  const {
    bars,
    unit,
    valueLabel,
    height,
    barTestId,
    markerTestId,
    selectedRank,
    onSelect,
    svgRef,
    ariaLabel
  } = props
  const width = Math.max(props.width, MARGIN.left + MARGIN.right + bars.length * MIN_BAND)
  const innerHeight = height - MARGIN.top - MARGIN.bottom
  const axis = valueAxis(d3.max(bars, (b) => Math.max(b.value ?? 0, b.marker ?? 0)) ?? 0, unit)
  const x = d3
    .scaleBand<number>()
    .domain(bars.map((b) => b.rank))
    .range([MARGIN.left, width - MARGIN.right])
    .paddingInner(bars.length > 64 ? 0.1 : 0.25)
    .paddingOuter(0.2)
  const y = d3
    .scaleLinear()
    .domain([0, axis.max])
    .range([MARGIN.top + innerHeight, MARGIN.top])
  const barWidth = Math.min(x.bandwidth(), MAX_BAR)
  const barLeft = (rank: number) => x(rank)! + (x.bandwidth() - barWidth) / 2
  const labelEvery = Math.max(1, Math.ceil(LABEL_SPACING / x.step()))
  const baseline = y(0)

  const onKey = (event: KeyboardEvent, rank: number) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      onSelect(rank)
    }
  }

  return (
    <svg
      ref={svgRef}
      className="rank-chart"
      width={width}
      height={height}
      role="group"
      aria-label={ariaLabel}
    >
      {stageRuns(bars).map((run) => {
        const left = x(run.first)! - (x.step() * x.paddingInner()) / 2
        const right = x(run.last)! + x.bandwidth() + (x.step() * x.paddingInner()) / 2
        return (
          <g key={`stage-${run.stage}-${run.first}`} className="stage-band">
            <rect
              x={left}
              y={MARGIN.top - 18}
              width={right - left}
              height={innerHeight + 18}
              fill={stageColor(run.stage)}
            />
            {right - left > 48 && (
              <text x={left + 6} y={MARGIN.top - 5} fill={stageInk(run.stage)}>
                Stage {run.stage}
              </text>
            )}
          </g>
        )
      })}
      {axis.ticks.map((tick) => (
        <g key={tick.value} className="value-tick">
          <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(tick.value)} y2={y(tick.value)} />
          <text x={MARGIN.left - 6} y={y(tick.value)}>
            {tick.label}
          </text>
        </g>
      ))}
      <text className="axis-title" transform={`translate(14 ${MARGIN.top + innerHeight / 2}) rotate(-90)`}>
        {valueLabel}
      </text>
      {bars.map((bar, i) => {
        const left = barLeft(bar.rank)
        const selected = bar.rank === selectedRank
        const data = unit === 'bytes' ? { 'data-bytes': bar.value } : { 'data-params': bar.value }
        return (
          <g
            key={bar.rank}
            className={`rank-bar-group${selected ? ' selected' : ''}`}
            role="button"
            tabIndex={0}
            aria-pressed={selected}
            aria-label={bar.title}
            onClick={() => onSelect(bar.rank)}
            onKeyDown={(e) => onKey(e, bar.rank)}
          >
            <title>{bar.title}</title>
            {/* The whole column is clickable, not only the bar, so short bars stay easy to hit. */}
            <rect className="hit" x={x(bar.rank)} y={MARGIN.top} width={x.bandwidth()} height={innerHeight} />
            {bar.missing ? (
              <rect
                className="rank-bar missing"
                data-testid={barTestId}
                data-rank={bar.rank}
                data-stage={bar.stage}
                data-missing="true"
                x={left}
                y={MARGIN.top}
                width={barWidth}
                height={innerHeight}
              />
            ) : (
              <rect
                className="rank-bar"
                data-testid={barTestId}
                data-rank={bar.rank}
                data-stage={bar.stage}
                data-alert={bar.alert || undefined}
                {...data}
                x={left}
                y={y(bar.value ?? 0)}
                width={barWidth}
                height={baseline - y(bar.value ?? 0)}
                fill={bar.stage === undefined ? 'var(--accent)' : stageInk(bar.stage)}
              />
            )}
            {bar.marker !== undefined && (
              <line
                className="rank-marker"
                data-testid={markerTestId}
                data-rank={bar.rank}
                data-bytes={bar.marker}
                x1={left - 3}
                x2={left + barWidth + 3}
                y1={y(bar.marker)}
                y2={y(bar.marker)}
              />
            )}
            {(i % labelEvery === 0 || selected) && (
              <text
                className={`rank-label${bar.alert || bar.missing ? ' alert' : ''}`}
                x={x(bar.rank)! + x.bandwidth() / 2}
                y={baseline + 14}
              >
                {bar.rank}
              </text>
            )}
          </g>
        )
      })}
      <line className="baseline" x1={MARGIN.left} x2={width - MARGIN.right} y1={baseline} y2={baseline} />
      <text className="axis-title" x={MARGIN.left + (width - MARGIN.left - MARGIN.right) / 2} y={height - 6}>
        Rank
      </text>
    </svg>
  )
}

/** Consecutive bars of the same stage, drawn as one tinted band behind them. */
function stageRuns(bars: RankBar[]): { stage: number; first: number; last: number }[] {
  const runs: { stage: number; first: number; last: number }[] = []
  bars.forEach((bar, i) => {
    if (bar.stage === undefined) return
    const run = runs[runs.length - 1]
    if (run && run.stage === bar.stage && run.last === bars[i - 1]?.rank) run.last = bar.rank
    else runs.push({ stage: bar.stage, first: bar.rank, last: bar.rank })
  })
  return runs
}
