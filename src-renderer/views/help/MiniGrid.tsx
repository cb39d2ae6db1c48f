interface MiniGridProps {
  rows: number
  cols: number
  label(row: number, col: number): string
  highlight(row: number, col: number): boolean
  wide?: boolean
  /** Rows drawn as pipeline stages. */
  stages?: boolean
}

/** A tiny grid for the help page's examples. */
export function MiniGrid({ rows, cols, label, highlight, wide, stages }: MiniGridProps) {
  return (
    <div
      className={`mini-grid${wide ? ' wide' : ''}`}
      style={{ gridTemplateColumns: `repeat(${cols}, auto)` }}
      aria-hidden="true"
    >
      {Array.from({ length: rows * cols }, (_, i) => {
        const row = Math.floor(i / cols)
        const col = i % cols
        return (
          <span
            key={i}
            className={`mini-cell${highlight(row, col) ? ' on' : ''}${stages ? ` stage-${row}` : ''}`}
          >
            {label(row, col)}
          </span>
        )
      })}
    </div>
  )
}
