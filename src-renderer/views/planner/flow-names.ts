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
  const names = new Map<string, string>()
  for (const node of layout.nodes) {
    const key = nodeKey(node)
    const ranks = partners.get(key) ?? []
    const others =
      ranks.length === 0 ? 'no rank' : `${ranks.length === 1 ? 'rank' : 'ranks'} ${rankRanges(ranks)}`
    // Starts with what the node's label shows ("rank 2 1.5 MiB"), so speech and sight agree.
    const shown = `rank ${node.rank} ${formatBytes(node.bytes)}`
    names.set(
      key,
      node.side === 'destination'
        ? `${shown}: destination rank, stage ${node.stage}, from source ${others}`
        : `${shown}: source rank, stage ${node.stage}, to destination ${others}`
    )
  }
  return names
}

export function nodeKey(node: Pick<FlowNode, 'side' | 'rank'>): string {
  return `${node.side}:${node.rank}`
}
