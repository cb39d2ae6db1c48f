import * as d3 from 'd3'
import { useMemo, type RefObject } from 'react'
import type { PlanSummary } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { rankColor, stageColor } from '../../viz/palette'
import { layoutFlows, type FlowNode } from './flow-layout'
import { useHoverTip } from './HoverTip'
import { useElementWidth } from '../../viz/use-element-width'

interface FlowDiagramProps {
  plan: PlanSummary
  selectedRank: number
  onSelectRank(rank: number): void
  svgRef: RefObject<SVGSVGElement | null>
}

const NODE_WIDTH = 14
const LABEL_SPACE = 136
// Beyond this many links the picture is a solid mass; the selected rank's links still say something.
const MAX_LINKS = 2500

/** A band of constant thickness from (x0, y0) to (x1, y1): filled, so even a level band has an area to hover. */
function bandPath(x0: number, y0: number, x1: number, y1: number, thickness: number): string {
  const half = Math.max(1, thickness) / 2
  const mid = (x0 + x1) / 2
  const path = d3.path()
  path.moveTo(x0, y0 - half)
  path.bezierCurveTo(mid, y0 - half, mid, y1 - half, x1, y1 - half)
  path.lineTo(x1, y1 + half)
  path.bezierCurveTo(mid, y1 + half, mid, y0 + half, x0, y0 + half)
  path.closePath()
  return path.toString()
}

/** Which source ranks feed which destination ranks, and how many bytes: the shape of the conversion. */
export function FlowDiagram({ plan, selectedRank, onSelectRank, svgRef }: FlowDiagramProps) {
  const [boxRef, measured] = useElementWidth(560)
  const width = Math.max(240, measured)
  const layout = useMemo(() => layoutFlows(plan, 420), [plan])
  const tip = useHoverTip()
  const left = LABEL_SPACE - NODE_WIDTH
  const right = width - LABEL_SPACE
  const tooMany = layout.links.length > MAX_LINKS
  const links = tooMany ? layout.links.filter((l) => l.destination === selectedRank) : layout.links
  const x = (side: FlowNode['side']) => (side === 'source' ? left : right)

  return (
    <div ref={boxRef} className="flow-box">
      <svg
        ref={svgRef}
        width={width}
        height={layout.height}
        className="flow"
        role="group"
        aria-label="Bytes flowing from source ranks to destination ranks"
      >
        <text className="column-title" x={left + NODE_WIDTH} y={14} textAnchor="end">
          Source · {plan.source.rankCount} rank{plan.source.rankCount === 1 ? '' : 's'}
        </text>
        <text className="column-title" x={right} y={14}>
          Destination · {plan.destination.rankCount} rank{plan.destination.rankCount === 1 ? '' : 's'}
        </text>
        {layout.bands.map((band) => (
          <g key={`${band.side}-${band.stage}`} className="stage-band">
            <rect
              x={band.side === 'source' ? 0 : right - 6}
              y={band.y}
              width={LABEL_SPACE + 6}
              height={band.height}
              rx={6}
              fill={stageColor(band.stage)}
            />
            <text
              x={band.side === 'source' ? 8 : right + NODE_WIDTH + 8}
              y={band.y + 13}
              className="stage-label"
            >
              stage {band.stage}
            </text>
          </g>
        ))}
        <g className="links">
          {links.map((link) => {
            const selected = link.destination === selectedRank
            const title = `rank ${link.source} → rank ${link.destination}: ${formatBytes(link.bytes)}`
            return (
              <path
                key={`${link.source}-${link.destination}`}
                data-testid="flow-link"
                data-source={link.source}
                data-destination={link.destination}
                data-bytes={link.bytes}
                className={selected ? 'flow-link selected' : 'flow-link'}
                data-width={link.width.toFixed(2)}
                d={bandPath(left + NODE_WIDTH, link.y0, right, link.y1, link.width)}
                fill={rankColor(link.source)}
                onMouseMove={(e) => tip.show(e, title)}
                onMouseLeave={tip.hide}
              >
                <title>{title}</title>
              </path>
            )
          })}
        </g>
        {layout.nodes.map((node) => {
          const isDestination = node.side === 'destination'
          const selected = isDestination && node.rank === selectedRank
          const title = `${isDestination ? 'Destination' : 'Source'} rank ${node.rank} (stage ${node.stage}): ${formatBytes(node.bytes)} ${isDestination ? 'in' : 'out'}`
          return (
            <g
              key={`${node.side}-${node.rank}`}
              data-testid={isDestination ? 'flow-destination' : 'flow-source'}
              data-rank={node.rank}
              className={`flow-node ${node.side}${selected ? ' selected' : ''}${node.bytes === 0 ? ' idle' : ''}`}
              onClick={isDestination ? () => onSelectRank(node.rank) : undefined}
              onKeyDown={
                isDestination
                  ? (e) => {
                      if (e.key === 'Enter' || e.key === ' ') onSelectRank(node.rank)
                    }
                  : undefined
              }
              role={isDestination ? 'button' : undefined}
              tabIndex={isDestination ? 0 : undefined}
              aria-label={isDestination ? `Destination rank ${node.rank}` : undefined}
              aria-pressed={isDestination ? selected : undefined}
              onMouseMove={(e) => tip.show(e, title)}
              onMouseLeave={tip.hide}
            >
              <title>{title}</title>
              <rect
                x={x(node.side)}
                y={node.y}
                width={NODE_WIDTH}
                height={node.height}
                rx={3}
                fill={isDestination ? '#3b4a63' : rankColor(node.rank)}
              />
              {layout.labelled && (
                <text
                  x={isDestination ? right + NODE_WIDTH + 8 : left - 8}
                  y={node.y + node.height / 2}
                  dy="0.35em"
                  textAnchor={isDestination ? 'start' : 'end'}
                  className="node-label"
                >
                  rank {node.rank}
                  <tspan className="node-bytes"> {formatBytes(node.bytes)}</tspan>
                </text>
              )}
            </g>
          )
        })}
      </svg>
      {tooMany && (
        <div className="muted flow-note">
          {layout.links.length.toLocaleString()} links: showing those into destination rank {selectedRank}.
        </div>
      )}
      {tip.element}
    </div>
  )
}
