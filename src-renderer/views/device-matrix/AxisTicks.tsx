import { levelGroups, type GridFold } from './grid-fold'
import type { MatrixLayout } from './matrix-layout'

/** Coordinate labels along the rows (left) and columns (top), one band per folded axis. */
export function AxisTicks({
  devMatrix,
  fold,
  layout
}: {
  devMatrix: readonly number[]
  fold: GridFold
  layout: MatrixLayout
}) {
  const colSizes = fold.colAxes.map((a) => devMatrix[a]!)
  const rowSizes = fold.rowAxes.map((a) => devMatrix[a]!)
  const span = (offsets: number[], first: number, lastCell: number) =>
    (offsets[first]! + offsets[lastCell]! + layout.cell) / 2
  return (
    <g className="axis-ticks">
      {fold.colAxes.map((axis, level) =>
        levelGroups(colSizes, level).map((g) => (
          <text
            key={`c${level}-${g.first}`}
            x={layout.gridX + span(layout.colX, g.first, g.last)}
            y={layout.gridY - 6 - (fold.colAxes.length - 1 - level) * layout.tickRow}
            textAnchor="middle"
          >
            a{axis}={g.coord}
          </text>
        ))
      )}
      {fold.rowAxes.map((axis, level) =>
        levelGroups(rowSizes, level).map((g) => (
          <text
            key={`r${level}-${g.first}`}
            x={layout.gridX - 8 - (fold.rowAxes.length - 1 - level) * layout.tickColumn}
            y={layout.gridY + span(layout.rowY, g.first, g.last)}
            textAnchor="end"
            dominantBaseline="middle"
          >
            a{axis}={g.coord}
          </text>
        ))
      )}
    </g>
  )
}
