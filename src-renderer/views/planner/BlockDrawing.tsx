import * as d3 from 'd3'
import type { PlanParamDetail } from '../../../src-main/api/contract'
import { formatBytes, formatShape } from '../../app/format'
import { rankColor } from '../../viz/palette'
import { foldBox, foldShape, type FoldedRect } from './fold'
import { useHoverTip } from './HoverTip'
import { useElementWidth } from '../../viz/use-element-width'

const MARGIN = { top: 22, right: 12, bottom: 24, left: 58 }

/** The destination rank's block drawn over the full tensor, filled by the source blocks that assemble it. */
export function BlockDrawing({ detail, rank }: { detail: PlanParamDetail; rank: number }) {
  const [boxRef, measured] = useElementWidth(520)
  const width = Math.max(240, measured)
  const tip = useHoverTip()
  const grid = foldShape(detail.fullShape)
  const plotHeight = grid.rows === 1 ? 40 : 240
  const x = d3.scaleLinear([0, grid.cols], [MARGIN.left, width - MARGIN.right])
  const y = d3.scaleLinear([0, grid.rows], [MARGIN.top, MARGIN.top + plotHeight])
  const block = foldBox(detail.fullShape, detail.offset, detail.shape)
  const pieces = detail.pieces.map((piece) => ({
    piece,
    ...foldBox(detail.fullShape, piece.offset, piece.extent)
  }))
  const approximate = block.approximate || pieces.some((p) => p.approximate)
  const box = (r: FoldedRect) => ({
    x: x(r.col),
    y: y(r.row),
    width: Math.max(1, x(r.col + r.cols) - x(r.col)),
    height: Math.max(1, y(r.row + r.rows) - y(r.row))
  })
  const folded = detail.fullShape.length > 2

  return (
    <div ref={boxRef} className="block-box">
      <svg
        width={width}
        height={MARGIN.top + plotHeight + MARGIN.bottom}
        className="blocks"
        role="img"
        aria-label={`Blocks of ${detail.name}`}
      >
        <text x={MARGIN.left} y={14} className="axis-label">
          0
        </text>
        <text x={width - MARGIN.right} y={14} textAnchor="end" className="axis-label">
          {folded ? `${detail.fullShape.slice(1).join('×')} (dims 1… folded)` : grid.cols.toLocaleString()}
        </text>
        <text x={MARGIN.left - 6} y={MARGIN.top + plotHeight} textAnchor="end" className="axis-label">
          {grid.rows.toLocaleString()}
        </text>
        {grid.rows > 1 && (
          <text x={MARGIN.left - 6} y={MARGIN.top + 10} textAnchor="end" className="axis-label">
            dim 0
          </text>
        )}
        <rect className="full-tensor" {...box({ row: 0, rows: grid.rows, col: 0, cols: grid.cols })}>
          <title>{`Full tensor ${formatShape(detail.fullShape)}`}</title>
        </rect>
        {pieces.map(({ piece, rects }, i) => {
          const title = `Source rank ${piece.sourceRank}: offset ${formatShape(piece.offset)}, extent ${formatShape(piece.extent)}, ${formatBytes(piece.bytes)}`
          const first = box(rects[0]!)
          return (
            <g
              key={i}
              data-testid="plan-piece"
              data-source-rank={piece.sourceRank}
              className="piece"
              onMouseMove={(e) => tip.show(e, title)}
              onMouseLeave={tip.hide}
            >
              <title>{title}</title>
              {rects.map((r, j) => (
                <rect key={j} {...box(r)} fill={rankColor(piece.sourceRank)} />
              ))}
              {rects.length === 1 && first.width > 30 && first.height > 14 && (
                <text
                  x={first.x + first.width / 2}
                  y={first.y + first.height / 2}
                  dy="0.35em"
                  textAnchor="middle"
                  className="piece-label"
                >
                  r{piece.sourceRank}
                </text>
              )}
            </g>
          )
        })}
        {block.rects.map((r, j) => (
          <rect key={j} className="destination-block" data-testid="plan-block" {...box(r)}>
            <title>{`Destination rank ${rank}: offset ${formatShape(detail.offset)}, shape ${formatShape(detail.shape)}`}</title>
          </rect>
        ))}
      </svg>
      <BlockLegend detail={detail} rank={rank} approximate={approximate} />
      {tip.element}
    </div>
  )
}

function BlockLegend({
  detail,
  rank,
  approximate
}: {
  detail: PlanParamDetail
  rank: number
  approximate: boolean
}) {
  const bySource = d3
    .rollups(
      detail.pieces,
      (pieces) => d3.sum(pieces, (p) => p.bytes),
      (p) => p.sourceRank
    )
    .sort((a, b) => a[0] - b[0])
  return (
    <div className="legend" data-testid="plan-piece-legend">
      <span>
        <span className="swatch outline" /> destination rank {rank}
      </span>
      {bySource.map(([source, bytes]) => (
        <span key={source}>
          <span className="swatch" style={{ background: rankColor(source) }} />
          source rank {source} · {formatBytes(bytes)}
        </span>
      ))}
      {approximate && <span>Strided blocks are drawn as their bounding span.</span>}
    </div>
  )
}
