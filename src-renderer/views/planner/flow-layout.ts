import type { PlanSummary } from '../../../src-main/api/contract'

export interface FlowNode {
  side: 'source' | 'destination'
  /** The node's first rank; with grouping, a node stands for the consecutive ranks rank..last. */
  rank: number
  last: number
  stage: number
  bytes: number
  y: number
  height: number
}

export interface FlowLink {
  source: number
  destination: number
  bytes: number
  width: number
  /** Centre of the band where it leaves the source node and enters the destination node. */
  y0: number
  y1: number
}

export interface StageBand {
  side: 'source' | 'destination'
  stage: number
  y: number
  height: number
}

export interface FlowLayout {
  nodes: FlowNode[]
  links: FlowLink[]
  bands: StageBand[]
  height: number
  /** Node boxes are tall enough for a label. */
  labelled: boolean
  /** Ranks per node on each side: 1 unless there were more ranks than MAX_NODES. */
  groupSize: { source: number; destination: number }
}

/**
 * More ranks than this on a side are drawn in groups of consecutive ranks (a power of two per group, never
 * across a stage): 1,024 nodes made the diagram a 4,000-pixel band of hairlines that no one could read or click.
 */
export const MAX_NODES = 48

/** The group size that brings `count` ranks down to MAX_NODES nodes or fewer. */
export function groupSizeFor(count: number): number {
  let size = 1
  while (Math.ceil(count / size) > MAX_NODES) size *= 2
  return size
}

/** Consecutive ranks of one stage, at most `size` to a group: each rank's group's first rank, and the groups. */
function groupRanks(list: { rank: number; stage: number }[], size: number) {
  const firstOf = new Map<number, number>()
  const groups: { rank: number; last: number; stage: number }[] = []
  for (const { rank, stage } of list) {
    const open = groups[groups.length - 1]
    if (open && open.stage === stage && rank - open.rank < size && open.last === rank - 1) open.last = rank
    else groups.push({ rank, last: rank, stage })
    firstOf.set(rank, groups[groups.length - 1]!.rank)
  }
  return { firstOf, groups }
}

const TOP = 34
const BOTTOM = 12
const STAGE_HEADING = 18
const STAGE_GAP = 14

/**
 * A Sankey-like layout: one node per rank, stacked by stage, links as bands whose width is proportional to the
 * bytes they carry. Every node gets a minimum height so ranks that feed little stay visible and clickable.
 */
export function layoutFlows(plan: PlanSummary, targetHeight: number): FlowLayout {
  const sourceRanks = new Set<number>()
  for (let r = 0; r < plan.source.rankCount; r++) sourceRanks.add(r)
  plan.flows.forEach((f) => sourceRanks.add(f.source))
  const sources = [...sourceRanks]
    .sort((a, b) => a - b)
    .map((rank) => ({ rank, stage: Math.floor(rank / Math.max(1, plan.source.stageDevices)) }))
  const destinations = plan.ranks
    .map((r) => ({ rank: r.rank, stage: r.stage }))
    .sort((a, b) => a.rank - b.rank)

  const groupSize = { source: groupSizeFor(sources.length), destination: groupSizeFor(destinations.length) }
  const sourceGroups = groupRanks(sources, groupSize.source)
  const destinationGroups = groupRanks(destinations, groupSize.destination)
  // Bytes between groups: the sum of the flows between their ranks.
  const grouped = new Map<string, { source: number; destination: number; bytes: number }>()
  for (const f of plan.flows) {
    const source = sourceGroups.firstOf.get(f.source) ?? f.source
    const destination = destinationGroups.firstOf.get(f.destination) ?? f.destination
    const key = `${source}:${destination}`
    const flow = grouped.get(key)
    if (flow) flow.bytes += f.bytes
    else grouped.set(key, { source, destination, bytes: f.bytes })
  }
  const flows = [...grouped.values()]
  const lastOf = {
    source: new Map(sourceGroups.groups.map((g) => [g.rank, g.last])),
    destination: new Map(destinationGroups.groups.map((g) => [g.rank, g.last]))
  }
  const count = Math.max(sourceGroups.groups.length, destinationGroups.groups.length)
  const dense = count > MAX_NODES
  const minHeight = dense ? 3 : 16
  const gap = dense ? 1 : 6
  const totalBytes = flows.reduce((s, f) => s + f.bytes, 0)

  const overhead = (side: { stage: number }[]) => {
    const stages = new Set(side.map((n) => n.stage)).size
    return side.length * gap + stages * (STAGE_HEADING + STAGE_GAP)
  }
  // Many ranks make the drawing taller than asked rather than every band a hairline.
  const room = Math.max(
    count * minHeight,
    Math.min(
      ...[sourceGroups.groups, destinationGroups.groups].map(
        (side) => targetHeight - TOP - BOTTOM - overhead(side)
      )
    )
  )
  const scale = totalBytes > 0 ? Math.max(0, room) / totalBytes : 0

  const totals = { source: new Map<number, number>(), destination: new Map<number, number>() }
  for (const f of flows) {
    totals.source.set(f.source, (totals.source.get(f.source) ?? 0) + f.bytes)
    totals.destination.set(f.destination, (totals.destination.get(f.destination) ?? 0) + f.bytes)
  }

  const nodes: FlowNode[] = []
  const bands: StageBand[] = []
  let height = 0
  for (const [side, list] of [
    ['source', sourceGroups.groups],
    ['destination', destinationGroups.groups]
  ] as const) {
    let y = TOP
    let band: StageBand | undefined
    for (const { rank, stage } of list) {
      if (!band || band.stage !== stage) {
        if (band) y += STAGE_GAP
        band = { side, stage, y, height: 0 }
        bands.push(band)
        y += STAGE_HEADING
      }
      const bytes = totals[side].get(rank) ?? 0
      const nodeHeight = Math.max(minHeight, bytes * scale)
      nodes.push({ side, rank, last: lastOf[side].get(rank) ?? rank, stage, bytes, y, height: nodeHeight })
      y += nodeHeight + gap
      band.height = y - band.y
    }
    height = Math.max(height, y + BOTTOM)
  }

  const bySide = {
    source: new Map(nodes.filter((n) => n.side === 'source').map((n) => [n.rank, n])),
    destination: new Map(nodes.filter((n) => n.side === 'destination').map((n) => [n.rank, n]))
  }
  const nodeOf = (side: FlowNode['side'], rank: number) => bySide[side].get(rank)!
  const cursor = new Map<FlowNode, number>()
  const stackIn = (node: FlowNode, width: number) => {
    const start = cursor.get(node) ?? node.y + (node.height - node.bytes * scale) / 2
    cursor.set(node, start + width)
    return start + width / 2
  }
  // Bands leave each source in destination order and enter each destination in source order, so they do not cross
  // at the nodes.
  const bySource = [...flows].sort((a, b) => a.source - b.source || a.destination - b.destination)
  const links: FlowLink[] = bySource.map(({ source, destination, bytes }) => ({
    source,
    destination,
    bytes,
    width: bytes * scale,
    y0: stackIn(nodeOf('source', source), bytes * scale),
    y1: 0
  }))
  ;[...links]
    .sort((a, b) => a.destination - b.destination || a.source - b.source)
    .forEach((link) => (link.y1 = stackIn(nodeOf('destination', link.destination), link.width)))

  return { nodes, links, bands, height, labelled: !dense, groupSize }
}
