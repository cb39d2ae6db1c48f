import { formatBytes } from '../../app/format'
import type { FlowLayout, FlowNode } from './flow-layout'
import { rankRanges } from './rank-ranges'

/**
 * What a screen reader says for each node of the flow diagram: which ranks it exchanges bytes with, and how
 * many. This is the drawing's meaning in words, for those who cannot see the bands.
 */
export function nodeNames(layout: FlowLayout): Map<string, string> {
  const partners = new Map<string, number[]>()
  for (const link of layout.links) {
    const from = `source:${link.source}`
    const to = `destination:${link.destination}`
    partners.set(from, [...(partners.get(from) ?? []), link.destination])
    partners.set(to, [...(partners.get(to) ?? []), link.source])
  }
  const byKey = new Map(layout.nodes.map((n) => [nodeKey(n), n]))
  const names = new Map<string, string>()
  for (const node of layout.nodes) {
    const key = nodeKey(node)
    const ranks = partners.get(key) ?? []
    const otherSide = node.side === 'source' ? 'destination' : 'source'
    // Grouped partners are named by their ranges: the first rank alone would hide the rest of the group.
    const groups = ranks.map((r) => byKey.get(`${otherSide}:${r}`)).filter((n) => n && n.last > n.rank)
    const others =
      ranks.length === 0
        ? 'no rank'
        : groups.length > 0
          ? `ranks ${ranks.map((r) => rangeOf(byKey.get(`${otherSide}:${r}`), r)).join(', ')}`
          : `${ranks.length === 1 ? 'rank' : 'ranks'} ${rankRanges(ranks)}`
    // Starts with what the node's label shows ("rank 2 1.5 MiB"), so speech and sight agree.
    const shown = `${nodeRanks(node)} ${formatBytes(node.bytes)}`
    const what = node.last > node.rank ? 'ranks' : 'rank'
    names.set(
      key,
      node.side === 'destination'
        ? `${shown}: destination ${what}, stage ${node.stage}, from source ${others}`
        : `${shown}: source ${what}, stage ${node.stage}, to destination ${others}`
    )
  }
  return names
}

function rangeOf(node: FlowNode | undefined, rank: number): string {
  return node && node.last > node.rank ? `${node.rank}–${node.last}` : String(rank)
}

/** "rank 3", or "ranks 0–31" for a node standing for a group of ranks. */
export function nodeRanks(node: Pick<FlowNode, 'rank' | 'last'>): string {
  return node.last > node.rank ? `ranks ${node.rank}–${node.last}` : `rank ${node.rank}`
}

export function nodeKey(node: Pick<FlowNode, 'side' | 'rank'>): string {
  return `${node.side}:${node.rank}`
}
