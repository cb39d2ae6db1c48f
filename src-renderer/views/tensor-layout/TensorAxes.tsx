import type { StoredSlice } from '../../viz/layout/slice-groups'
import type { TensorFold } from './tensor-fold'
import type { TensorScale } from './tensor-scale'

const MIN_TICK_GAP = 26

interface TensorAxesProps {
  fold: TensorFold
  scale: TensorScale
  /** Every stored piece: ticks mark where each begins. */
  pieces: StoredSlice[]
  /** Element indices are only meaningful with the real shape. */
  shapeKnown: boolean
}

/** Dimension captions and, with a known shape, element indices where pieces begin. */
export function TensorAxes({ fold, scale, pieces, shapeKnown }: TensorAxesProps) {
  const rowTicks = new Set<number>([fold.rows])
  const colTicks = new Set<number>([fold.cols])
  for (const piece of pieces) {
    const r = fold.rectOf(piece.box)
    rowTicks.add(r.y)
    colTicks.add(r.x)
  }
  const indexTicks = shapeKnown && fold.kind !== 'folded'
  const rows = fold.kind === 'matrix' || fold.kind === 'folded'
  return (
    <g className="tensor-axes">
      {fold.colLabel && (
        <text x={scale.width / 2} y={-24} className="axis-caption" textAnchor="middle">
          {fold.colLabel} →
        </text>
      )}
      {rows && (
        <text
          transform={`translate(-44,${scale.height / 2}) rotate(90)`}
          className="axis-caption"
          textAnchor="middle"
        >
          {fold.rowLabel} →
        </text>
      )}
      {indexTicks &&
        spaced([...colTicks], scale.width / fold.cols).map((x) => (
          <text key={`c${x}`} x={(x * scale.width) / fold.cols} y={-7} className="tick" textAnchor="middle">
            {x}
          </text>
        ))}
      {indexTicks &&
        rows &&
        spaced([...rowTicks], scale.height / fold.rows).map((y) => (
          <text
            key={`r${y}`}
            x={-7}
            y={(y * scale.height) / fold.rows}
            className="tick"
            textAnchor="end"
            dominantBaseline="middle"
          >
            {y}
          </text>
        ))}
    </g>
  )
}

/** Ticks in ascending order, dropping those too close to the previous one (the last one always stays). */
function spaced(ticks: number[], pixelsPerUnit: number): number[] {
  const sorted = ticks.sort((a, b) => a - b)
  const kept: number[] = []
  for (const [i, tick] of sorted.entries()) {
    const previous = kept[kept.length - 1]
    const isLast = i === sorted.length - 1
    if (previous !== undefined && (tick - previous) * pixelsPerUnit < MIN_TICK_GAP) {
      if (!isLast) continue
      kept.pop()
    }
    kept.push(tick)
  }
  return kept
}
