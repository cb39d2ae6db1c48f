import type { KeyboardEvent } from 'react'
import { sliceColor, sliceTint } from '../../viz/layout/slice-colors'

interface DeviceCellProps {
  rank: number
  x: number
  y: number
  size: number
  /** Colour of the slice the rank holds; none in stages without the parameter. */
  colorIndex?: number
  holds: boolean
  faded: boolean
  selected: boolean
  label: string
  onPoint?(rank: number | undefined): void
  onSelect?(rank: number): void
}

/** One rank: a square coloured by its slice, with the global rank number. */
export function DeviceCell({
  rank,
  x,
  y,
  size,
  colorIndex,
  holds,
  faded,
  selected,
  label,
  onPoint,
  onSelect
}: DeviceCellProps) {
  const interactive = !!onSelect
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' && event.key !== ' ') return
    event.preventDefault()
    onSelect?.(rank)
  }
  const classes = ['device-cell', holds && 'holds', selected && 'selected', faded && 'faded']
    .filter(Boolean)
    .join(' ')
  return (
    <g
      className={classes}
      data-testid="device-cell"
      data-rank={rank}
      data-holds={holds ? 'true' : undefined}
      transform={`translate(${x},${y})`}
      role={interactive ? 'button' : undefined}
      tabIndex={interactive ? 0 : undefined}
      aria-label={label}
      aria-pressed={interactive ? selected : undefined}
      onClick={interactive ? () => onSelect?.(rank) : undefined}
      onKeyDown={interactive ? onKeyDown : undefined}
      onMouseEnter={onPoint ? () => onPoint(rank) : undefined}
      onMouseLeave={onPoint ? () => onPoint(undefined) : undefined}
      onFocus={onPoint ? () => onPoint(rank) : undefined}
      onBlur={onPoint ? () => onPoint(undefined) : undefined}
    >
      <title>{label}</title>
      <rect
        width={size}
        height={size}
        rx={5}
        fill={colorIndex === undefined ? undefined : holds ? sliceColor(colorIndex) : sliceTint(colorIndex)}
        stroke={colorIndex === undefined ? undefined : sliceColor(colorIndex)}
      />
      <text
        x={size / 2}
        y={size / 2}
        fontSize={Math.round(Math.min(14, Math.max(10, size * 0.34)))}
        className="rank-number"
      >
        {rank}
      </text>
    </g>
  )
}
