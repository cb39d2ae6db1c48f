import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { intersectBoxes, type Box } from '../../../src-main/engine/layout/box'
import { ShardGeometry } from '../../../src-main/engine/layout/shard-geometry'
import { piecesPerDimension, toShardLayout } from '../../../src-main/engine/layout/shard-layout'
import type { ParamLayout } from '../../../src-main/engine/model/strategy-set'
import { paramLayout } from '../../helpers/strategy-builders'

/** The definition: walk every rank, keep the first rank of each slice. */
function bruteForce(g: ShardGeometry): { rank: number; box: Box }[] {
  const seen = new Set<string>()
  const out: { rank: number; box: Box }[] = []
  for (let rank = 0; rank < g.devices; rank++) {
    const box = g.boxOf(rank)
    if (seen.has(box.offset.join())) continue
    seen.add(box.offset.join())
    out.push({ rank, box })
  }
  return out
}

/** Random layouts (flat and multi-axis maps, optimizer shards) with a shape twice what they cut, and a box in it. */
const scenario = fc
  .array(fc.constantFrom(1, 2, 3, 4), { minLength: 1, maxLength: 4 })
  .chain((dev) =>
    fc.record({
      dev: fc.constant(dev),
      axes: fc.shuffledSubarray(dev.map((_, i) => i)),
      ndim: fc.integer({ min: 1, max: 3 }),
      opt: fc.constantFrom(0, -1, 2),
      box: fc.array(fc.tuple(fc.nat({ max: 1000 }), fc.nat({ max: 1000 })), { minLength: 3, maxLength: 3 })
    })
  )
  .map(({ dev, axes, ndim, opt, box }) => {
    const map: number[][] = Array.from({ length: ndim }, () => [])
    axes.forEach((axis, i) => map[i % ndim]!.push(dev.length - 1 - axis))
    const layout = paramLayout(
      dev,
      map.map((a) => (a.length === 0 ? -1 : a.length === 1 ? a[0]! : a)),
      { optShardSize: opt }
    )
    return { layout, ndim, box }
  })

function geometryOf(layout: ParamLayout, ndim: number): ShardGeometry | undefined {
  try {
    const shard = toShardLayout(layout, ndim, { param: 'w', where: 'test' })
    return new ShardGeometry(
      shard,
      piecesPerDimension(shard).map((p) => p * 2)
    )
  } catch {
    return undefined // an optimizer size that does not divide the replicas: refused, nothing to enumerate
  }
}

describe('slices are enumerated from the layout, never by visiting every device', () => {
  it('distinctSlices gives what walking every rank gives', () => {
    fc.assert(
      fc.property(scenario, ({ layout, ndim }) => {
        const g = geometryOf(layout, ndim)
        if (g) expect(g.distinctSlices()).toEqual(bruteForce(g))
      }),
      { seed: 7, numRuns: 400 }
    )
  })

  it('slicesOverlapping(box) gives the distinct slices that intersect the box', () => {
    fc.assert(
      fc.property(scenario, ({ layout, ndim, box }) => {
        const g = geometryOf(layout, ndim)
        if (!g) return
        const query: Box = { offset: [], extent: [] }
        g.fullShape.forEach((size, i) => {
          const start = box[i]![0] % (size + 1)
          query.offset.push(start)
          query.extent.push(box[i]![1] % (size - start + 1))
        })
        const expected = g.distinctSlices().filter((s) => intersectBoxes(s.box, query))
        expect(g.slicesOverlapping(query)).toEqual(expected)
      }),
      { seed: 11, numRuns: 600 }
    )
  })

  it('answers one slice for a destination slice of the same layout, however many devices', () => {
    const layout = paramLayout([131072], [0, -1])
    const shard = toShardLayout(layout, 2, { param: 'w', where: 'test' })
    const g = new ShardGeometry(shard, [131072 * 2, 8])
    expect(g.slicesOverlapping(g.boxOf(99_999))).toEqual([{ rank: 99_999, box: g.boxOf(99_999) }])
  })
})
