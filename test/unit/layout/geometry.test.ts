import { describe, expect, it } from 'vitest'
import { coordsToRank, rankToCoords } from '../../../src-main/engine/layout/device-matrix'
import { ShardGeometry } from '../../../src-main/engine/layout/shard-geometry'
import { replicatedLayout, toShardLayout } from '../../../src-main/engine/layout/shard-layout'
import type { ParamLayout, TensorMapEntry } from '../../../src-main/engine/model/strategy-set'
import { paramLayout } from '../../helpers/strategy-builders'

const layout = (
  devMatrix: number[],
  tensorMap: TensorMapEntry[],
  optShardSize = 0,
  extra: Partial<ParamLayout> = {}
): ParamLayout => paramLayout(devMatrix, tensorMap, { optShardSize, ...extra })

/** The ranks holding the same slice as `rank`, found by comparing every rank's box with it. */
function replicasOf(g: ShardGeometry, rank: number): number[] {
  const key = JSON.stringify(g.boxOf(rank))
  return Array.from({ length: g.devices }, (_, r) => r).filter((r) => JSON.stringify(g.boxOf(r)) === key)
}

const geometry = (l: ParamLayout, shape: number[]) =>
  new ShardGeometry(toShardLayout(l, shape.length, { param: 'w', where: 'test' }), shape, 'w')

/** "rows a–b / cols c–d" of a 2-D box, the notation of spec §4.14. */
function rowsCols(g: ShardGeometry, rank: number): string {
  const { offset, extent } = g.boxOf(rank)
  return `r${offset[0]}–${offset[0]! + extent[0]! - 1} / c${offset[1]}–${offset[1]! + extent[1]! - 1}`
}

describe('rank ↔ device-matrix coordinates (row-major, last axis fastest, spec §4.2)', () => {
  it('matches the spec examples', () => {
    expect(rankToCoords(5, [2, 4])).toEqual([1, 1])
    expect(rankToCoords(6, [2, 4])).toEqual([1, 2])
    expect(rankToCoords(13, [2, 2, 4])).toEqual([1, 1, 1])
  })

  it('is a bijection on every matrix up to 4-D', () => {
    for (const d of [[8], [2, 4], [4, 2], [2, 2, 2], [3, 1, 2], [2, 3, 2, 2]]) {
      const n = d.reduce((a, b) => a * b, 1)
      const seen = new Set<string>()
      for (let r = 0; r < n; r++) {
        const c = rankToCoords(r, d)
        expect(c.every((x, i) => x >= 0 && x < d[i]!)).toBe(true)
        expect(coordsToRank(c, d)).toBe(r)
        seen.add(c.join())
      }
      expect(seen.size).toBe(n)
    }
  })
})

describe('the slice a rank holds: spec §4.14 worked table, W of shape [8,16], D=[2,4]', () => {
  const table: [TensorMapEntry[], Record<number, string>][] = [
    [
      [1, -1],
      { 0: 'r0–3 / c0–15', 1: 'r0–3 / c0–15', 3: 'r0–3 / c0–15', 4: 'r4–7 / c0–15', 6: 'r4–7 / c0–15' }
    ],
    [
      [0, -1],
      { 0: 'r0–1 / c0–15', 1: 'r2–3 / c0–15', 3: 'r6–7 / c0–15', 4: 'r0–1 / c0–15', 6: 'r4–5 / c0–15' }
    ],
    [[1, 0], { 0: 'r0–3 / c0–3', 1: 'r0–3 / c4–7', 3: 'r0–3 / c12–15', 4: 'r4–7 / c0–3', 6: 'r4–7 / c8–11' }],
    [[0, 1], { 0: 'r0–1 / c0–7', 1: 'r2–3 / c0–7', 3: 'r6–7 / c0–7', 4: 'r0–1 / c8–15', 6: 'r4–5 / c8–15' }]
  ]
  it.each(table)('tensor map %j', (map, expected) => {
    const g = geometry(layout([2, 4], map), [8, 16])
    for (const [rank, text] of Object.entries(expected)) expect(rowsCols(g, Number(rank))).toBe(text)
  })

  it('Example 1: [1,-1] gives local shape [4,16] and replicas {0,1,2,3}, {4,5,6,7}', () => {
    const g = geometry(layout([2, 4], [1, -1]), [8, 16])
    expect(g.localShape).toEqual([4, 16])
    expect(replicasOf(g, 2)).toEqual([0, 1, 2, 3])
    expect(replicasOf(g, 5)).toEqual([4, 5, 6, 7])
    expect(g.distinctSlices().map((s) => s.rank)).toEqual([0, 4])
  })

  it('Example 2: a nested map [[2,1],-1] on D=[2,2,2] cuts rows four ways, axis 0 outermost', () => {
    const g = geometry(layout([2, 2, 2], [[2, 1], -1]), [8, 4])
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((r) => g.boxOf(r).offset[0])).toEqual([0, 0, 2, 2, 4, 4, 6, 6])
    expect(g.localShape).toEqual([2, 4])
  })

  it('treats a map entry on a size-1 axis like -1', () => {
    const g = geometry(layout([1, 4], [1, 0]), [8, 16])
    expect(g.splits).toEqual([1, 4])
    expect(replicasOf(g, 1)).toEqual([1])
  })
})

describe('optimizer weight sharding (spec §4.5)', () => {
  it('reproduces the worked example D=[2,4], map [-1,0], W[8,16], k=2', () => {
    const g = geometry(layout([2, 4], [-1, 0], 2, { optShardStep: 4 }), [8, 16])
    expect(g.localShape).toEqual([4, 4])
    expect(rowsCols(g, 0)).toBe('r0–3 / c0–3')
    expect(rowsCols(g, 1)).toBe('r0–3 / c4–7')
    expect(rowsCols(g, 4)).toBe('r4–7 / c0–3')
    expect(rowsCols(g, 7)).toBe('r4–7 / c12–15')
  })

  it('resolves size -1 to the whole repeated group', () => {
    const g = geometry(layout([2, 4], [-1, 0], -1), [8, 16])
    expect(g.layout.optShards).toBe(2)
    const whole = geometry(layout([8], [-1], -1), [16])
    expect(whole.layout.optShards).toBe(8)
    expect([0, 1, 7].map((r) => whole.boxOf(r).offset[0])).toEqual([0, 2, 14])
  })

  it('groups k consecutive members of the repeated group: replicas hold the same shard', () => {
    // 4 data-parallel replicas, shard size 2: groups {0,1} and {2,3}; ranks 0 and 2 hold the same rows.
    const g = geometry(layout([4], [-1], 2), [8])
    expect([0, 1, 2, 3].map((r) => g.boxOf(r).offset[0])).toEqual([0, 4, 0, 4])
    expect(replicasOf(g, 0)).toEqual([0, 2])
    expect(g.replicaNear(0, 3)).toBe(2)
    expect(g.replicaNear(1, 2)).toBe(3)
  })

  it('uses runtime semantics for transposed maps (MindSpore suspected bug, spec §4.5)', () => {
    const g = geometry(layout([2, 2, 2], [0, 1], 2), [8, 4])
    // Rank 1: coords (0,0,1): dim 0 over axis 2 -> block 1 of 2 (rows 4–7), dim 1 over axis 1 -> cols 0–1;
    // repeated axis 0 has p = 0, so it keeps the first half: rows 4–5.
    expect(rowsCols(g, 1)).toBe('r4–5 / c0–1')
  })
})

describe('replica choice near an anchor', () => {
  it('keeps the used coordinates and takes the anchor elsewhere', () => {
    const g = geometry(layout([2, 4], [1, -1]), [8, 16])
    expect(g.replicaNear(0, 2)).toBe(2)
    expect(g.replicaNear(5, 2)).toBe(6)
    expect(g.replicaNear(5, 11)).toBe(7) // anchors beyond the device count wrap around
  })
})

describe('layouts that cannot be used', () => {
  const bad = (l: ParamLayout, shape: number[]) => () => geometry(l, shape)
  it.each([
    [layout([2, 4], [1, -1, 0]), [8, 16], 'the tensor map has 3 entries but the tensor has 2 dimensions'],
    [layout([2, 4], [2, -1]), [8, 16], 'tensor-map value 2 names no axis of a 2-axis device matrix'],
    [layout([2, 4], [0, 0]), [8, 16], 'device axis 0 is used by two tensor dimensions'],
    [layout([2, 4], [1, -1], 3), [8, 16], 'an optimizer shard size of 3 does not divide the 4 ranks'],
    [layout([2, 4], [1, -1], 0, { field: 8 }), [8, 16], 'field-split embedding (field 8)'],
    [layout([2, 4], [0, -1]), [6, 16], 'dimension 0 (size 6) is not divisible into 4 parts'],
    [layout([4], [-1, -1], 4), [2, 8], 'cannot be cut into 4 optimizer shards along dimension 0']
  ])('%#: %s', (l, shape, message) => {
    expect(bad(l, shape)).toThrowError(
      expect.objectContaining({ code: 'INVALID_LAYOUT', message: expect.stringContaining(message) })
    )
  })

  it('replicated layouts hold the whole tensor on every rank', () => {
    const g = new ShardGeometry(replicatedLayout(2, 4), [3, 5])
    expect(g.devices).toBe(4)
    expect(g.boxOf(3)).toEqual({ offset: [0, 0], extent: [3, 5] })
    expect(replicasOf(g, 0)).toEqual([0, 1, 2, 3])
  })
})

describe('notes where MindSpore would differ', () => {
  it('flags device counts that do not divide, transposed maps with optimizer shards, Int4 and text', async () => {
    const { mindsporeDifferences } = await import('../../../src-main/engine/plan/mindspore-differences')
    const { describeSide } = await import('../../../src-main/engine/plan/strategy-side')
    const set = (devMatrix: number[], layouts: ParamLayout[]) => ({
      sources: ['s'],
      format: 'protobuf' as const,
      currentStage: 1,
      merged: false,
      operators: [],
      layouts: layouts.map((l) => ({ ...l, devMatrix }))
    })
    const problems: { severity: string; message: string }[] = []
    mindsporeDifferences(
      describeSide(set([2, 2, 2], [layout([2, 2, 2], [0, 1], 2)]), 'source strategy'),
      describeSide(set([3], [layout([3], [-1, -1])]), 'destination strategy'),
      new Map([
        ['w', 'Float32'],
        ['q', 'Int4'],
        ['note', 'str']
      ]),
      problems as never
    )
    expect(problems.map((p) => p.message)).toEqual([
      'MindSpore refuses to transform 8 devices per stage to 3 ("Cannot transform device_num"), because neither divides the other; Shardscope converts them exactly.',
      "w combines a transposed tensor map with optimizer sharding; MindSpore's transform assigns such slices to the wrong ranks (spec §4.5), Shardscope follows the layout the training run actually used.",
      "q stays Int4; MindSpore's transform would write it as Int8.",
      "note holds text; MindSpore's transform crashes on such entries, Shardscope copies it."
    ])
  })
})
