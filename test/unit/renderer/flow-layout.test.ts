import { describe, expect, it } from 'vitest'
import type { PlanSummary } from '../../../src-main/api/contract'
import { groupSizeFor, layoutFlows, MAX_NODES } from '../../../src-renderer/views/planner/flow-layout'
import { nodeNames } from '../../../src-renderer/views/planner/flow-names'

/** `sources` ranks feeding `destinations` ranks, each source sending 10 bytes to destination source % n. */
function plan(sources: number, destinations: number, stages = 1): PlanSummary {
  const side = (n: number) => ({ folder: '/x', stageCount: stages, stageDevices: n / stages, rankCount: n })
  return {
    planId: 'p',
    source: side(sources),
    destination: side(destinations),
    ranks: Array.from(
      { length: destinations },
      (_, rank) =>
        ({ rank, stage: Math.floor(rank / (destinations / stages)) }) as PlanSummary['ranks'][number]
    ),
    flows: Array.from({ length: sources }, (_, s) => ({
      source: s,
      destination: s % destinations,
      bytes: 10
    })),
    problems: [],
    params: []
  }
}

describe('the flow diagram of many ranks', () => {
  it('draws ranks one by one up to MAX_NODES a side', () => {
    const layout = layoutFlows(plan(8, 4), 420)
    expect(layout.groupSize).toEqual({ source: 1, destination: 1 })
    expect(layout.nodes.filter((n) => n.side === 'source').map((n) => [n.rank, n.last])).toEqual(
      Array.from({ length: 8 }, (_, r) => [r, r])
    )
  })

  it('groups 1,024 sources into 32 nodes of 32 and 256 destinations into 32 of 8, keeping every byte', () => {
    expect(groupSizeFor(1024)).toBe(32)
    expect(groupSizeFor(256)).toBe(8)
    const layout = layoutFlows(plan(1024, 256), 420)
    const sources = layout.nodes.filter((n) => n.side === 'source')
    const destinations = layout.nodes.filter((n) => n.side === 'destination')
    expect(sources).toHaveLength(32)
    expect(destinations.length).toBeLessThanOrEqual(MAX_NODES)
    expect(sources[1]).toMatchObject({ rank: 32, last: 63 })
    expect(sources.reduce((s, n) => s + n.bytes, 0)).toBe(10240)
    expect(layout.links.reduce((s, l) => s + l.bytes, 0)).toBe(10240)
    // Labelled and far shorter than one hairline per rank.
    expect(layout.labelled).toBe(true)
    expect(layout.height).toBeLessThan(1200)
    expect(nodeNames(layout).get('source:32')).toMatch(
      /^ranks 32–63 .*: source ranks, stage 0, to destination ranks /
    )
  })

  it('never puts ranks of two stages into one group', () => {
    const layout = layoutFlows(plan(1024, 256, 2), 420)
    for (const node of layout.nodes.filter((n) => n.side === 'source'))
      expect(Math.floor(node.rank / 512)).toBe(Math.floor(node.last / 512))
  })
})
