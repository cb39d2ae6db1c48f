import * as d3 from 'd3'
import { useMemo, useState, type KeyboardEvent, type RefObject } from 'react'
import type { PlanSummary } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { neutralInk, rankColor, stageColor } from '../../viz/palette'
import { layoutFlows, type FlowNode } from './flow-layout'
import { nodeKey, nodeNames, nodeRanks } from './flow-names'
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
// "ranks 992–1023 8.03 KiB" needs more room than "rank 3 1.5 MiB".
const GROUP_LABEL_SPACE = 172
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
  const names = useMemo(() => nodeNames(layout), [layout])
  const tip = useHoverTip()
  const [focus, setFocusState] = useState<Partial<Record<FlowNode['side'], number>>>({})
  const setFocus = ({ side, index }: { side: FlowNode['side']; index: number }) =>
    setFocusState((f) => (f[side] === index ? f : { ...f, [side]: index }))
  const grouped = layout.groupSize.source > 1 || layout.groupSize.destination > 1
  const labelSpace = grouped ? GROUP_LABEL_SPACE : LABEL_SPACE
  const left = labelSpace - NODE_WIDTH
  const right = width - labelSpace
  const tooMany = layout.links.length > MAX_LINKS
  // With too many bands to draw, those of one destination rank are shown (the first while exporting).
  const shownRank = selectedRank >= 0 ? selectedRank : plan.ranks[0]?.rank
  const holds = (node: FlowNode, rank: number | undefined) =>
    rank !== undefined && rank >= node.rank && rank <= node.last
  const shownNode = layout.nodes.find((n) => n.side === 'destination' && holds(n, shownRank))
  const links = tooMany ? layout.links.filter((l) => l.destination === shownNode?.rank) : layout.links
  const x = (side: FlowNode['side']) => (side === 'source' ? left : right)
  const sides = {
    source: layout.nodes.filter((n) => n.side === 'source'),
    destination: layout.nodes.filter((n) => n.side === 'destination')
  }
  const selectedIndex = Math.max(
    0,
    sides.destination.findIndex((n) => holds(n, selectedRank))
  )
  // One tab stop per column: the node last focused there (the selected rank, first, for destinations).
  const tabIndexOf = (side: FlowNode['side'], index: number) => {
    const stop = side === 'source' ? (focus.source ?? 0) : (focus.destination ?? selectedIndex)
    return index === stop ? 0 : -1
  }
  const moveFocus = (side: FlowNode['side'], index: number, element: Element | null) => {
    const list = sides[side]
    const target = Math.min(list.length - 1, Math.max(0, index))
    setFocus({ side, index: target })
    const svg = element?.closest('svg')
    svg?.querySelector<SVGGElement>(`[data-node="${side}:${list[target]!.rank}"]`)?.focus()
    if (side === 'destination') onSelectRank(list[target]!.rank)
  }
  const onKeyDown = (node: FlowNode, index: number) => (event: KeyboardEvent<SVGGElement>) => {
    const other = node.side === 'source' ? 'destination' : 'source'
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveFocus(node.side, index + 1, event.currentTarget),
      ArrowUp: () => moveFocus(node.side, index - 1, event.currentTarget),
      Home: () => moveFocus(node.side, 0, event.currentTarget),
      End: () => moveFocus(node.side, sides[node.side].length - 1, event.currentTarget),
      ArrowRight: () =>
        node.side === 'source' && moveFocus(other, firstPartner(node, other), event.currentTarget),
      ArrowLeft: () =>
        node.side === 'destination' && moveFocus(other, firstPartner(node, other), event.currentTarget),
      Enter: () => node.side === 'destination' && onSelectRank(node.rank),
      ' ': () => node.side === 'destination' && onSelectRank(node.rank)
    }
    const move = moves[event.key]
    if (!move) return
    event.preventDefault()
    move()
  }
  const firstPartner = (node: FlowNode, other: FlowNode['side']) => {
    const link = layout.links.find((l) => (node.side === 'source' ? l.source : l.destination) === node.rank)
    const rank = link ? (other === 'destination' ? link.destination : link.source) : undefined
    return Math.max(
      0,
      sides[other].findIndex((n) => n.rank === rank)
    )
  }

  const drawNode = (node: FlowNode, index: number) => {
    const isDestination = node.side === 'destination'
    const selected = isDestination && holds(node, selectedRank)
    const key = nodeKey(node)
    return (
      <g
        key={key}
        data-node={key}
        data-testid={isDestination ? 'flow-destination' : 'flow-source'}
        data-rank={node.rank}
        data-last={node.last}
        className={`flow-node ${node.side}${selected ? ' selected' : ''}${node.bytes === 0 ? ' idle' : ''}`}
        role={isDestination ? 'option' : 'listitem'}
        aria-label={names.get(key)}
        aria-selected={isDestination ? selected : undefined}
        tabIndex={tabIndexOf(node.side, index)}
        onFocus={() => setFocus({ side: node.side, index })}
        onClick={isDestination ? () => onSelectRank(node.rank) : undefined}
        onKeyDown={onKeyDown(node, index)}
        onMouseMove={(e) => tip.show(e, names.get(key))}
        onMouseLeave={tip.hide}
      >
        <rect
          x={x(node.side)}
          y={node.y}
          width={NODE_WIDTH}
          height={node.height}
          rx={3}
          fill={isDestination ? neutralInk() : rankColor(node.rank)}
        />
        {layout.labelled && (
          <text
            x={isDestination ? right + NODE_WIDTH + 8 : left - 8}
            y={node.y + node.height / 2}
            dy="0.35em"
            textAnchor={isDestination ? 'start' : 'end'}
            className="node-label"
            aria-hidden="true"
          >
            {nodeRanks(node)}
            <tspan className="node-bytes"> {formatBytes(node.bytes)}</tspan>
          </text>
        )}
      </g>
    )
  }

  return (
    <div ref={boxRef} className="flow-box">
      {grouped && (
        <p className="muted flow-note" data-testid="flow-grouping">
          {groupingCaption(plan, layout.groupSize)}
        </p>
      )}
      <svg
        ref={svgRef}
        width={width}
        height={layout.height}
        className="flow"
        role="group"
        aria-label={`Bytes flowing from ${plan.source.rankCount} source ranks to ${plan.destination.rankCount} destination ranks; use the arrow keys to move between ranks`}
      >
        <text className="column-title" x={left + NODE_WIDTH} y={14} textAnchor="end" aria-hidden="true">
          Source · {plan.source.rankCount} rank{plan.source.rankCount === 1 ? '' : 's'}
        </text>
        <text className="column-title" x={width - 4} y={14} textAnchor="end" aria-hidden="true">
          Destination · {plan.destination.rankCount} rank{plan.destination.rankCount === 1 ? '' : 's'}
        </text>
        {layout.bands.map((band) => (
          <g
            key={`${band.side}-${band.stage}`}
            className="stage-band"
            role="img"
            aria-label={`${band.side === 'source' ? 'Source' : 'Destination'} pipeline stage ${band.stage}`}
          >
            <rect
              x={band.side === 'source' ? 0 : right - 6}
              y={band.y}
              width={labelSpace + 6}
              height={band.height}
              rx={6}
              fill={stageColor(band.stage)}
            />
            <text
              x={band.side === 'source' ? 8 : right + NODE_WIDTH + 8}
              y={band.y + 13}
              className="stage-label"
              aria-hidden="true"
            >
              stage {band.stage}
            </text>
          </g>
        ))}
        <g className="links" role="list" aria-label="Flows, source rank to destination rank">
          {links.map((link) => {
            const selected = link.destination === selectedRank
            const title = `Source rank ${link.source} to destination rank ${link.destination}: ${formatBytes(link.bytes)}`
            return (
              <path
                key={`${link.source}-${link.destination}`}
                role="listitem"
                aria-label={title}
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
              />
            )
          })}
        </g>
        <g role="list" aria-label="Source ranks">
          {sides.source.map(drawNode)}
        </g>
        <g role="listbox" aria-label="Destination ranks: choose one to inspect">
          {sides.destination.map(drawNode)}
        </g>
      </svg>
      {tooMany && (
        <div className="muted flow-note">
          {layout.links.length.toLocaleString()} links: showing those into destination{' '}
          {shownNode ? nodeRanks(shownNode) : `rank ${shownRank}`}.
        </div>
      )}
      {tip.element}
    </div>
  )
}

/** "1,024 source ranks in 32 groups of 32 consecutive ranks; 256 destination ranks in 32 groups of 8." */
function groupingCaption(plan: PlanSummary, size: { source: number; destination: number }): string {
  const side = (label: string, count: number, per: number) =>
    per > 1
      ? `${count.toLocaleString('en-US')} ${label} ranks in groups of ${per} consecutive ranks`
      : `${count.toLocaleString('en-US')} ${label} rank${count === 1 ? '' : 's'} one by one`
  return `${side('source', plan.source.rankCount, size.source)}; ${side('destination', plan.destination.rankCount, size.destination)}. A band carries the bytes between two groups; click a destination group to inspect its first rank.`
}
