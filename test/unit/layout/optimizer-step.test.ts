import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import { ShardGeometry } from '../../../src-main/engine/layout/shard-geometry'
import { toShardLayout } from '../../../src-main/engine/layout/shard-layout'
import type { ParamLayout, TensorMapEntry } from '../../../src-main/engine/model/strategy-set'
import { filesUnder } from '../../helpers/ckpt'
import { FIXTURES } from '../../helpers/fixtures'

function layout(devMatrix: number[], tensorMap: TensorMapEntry[], size: number, step: number): ParamLayout {
  return {
    name: 'layer0.mlp.mapping.weight',
    stage: 0,
    devMatrix,
    tensorMap,
    tensorMapForm: 'flat',
    paramSplitShape: [],
    indicesOffset: [],
    field: 0,
    optShardStep: step,
    optShardSize: size
  }
}

const resolve = (l: ParamLayout) =>
  toShardLayout(l, l.tensorMap.length, { param: l.name, where: 'source strategy s.ckpt' })

describe('opt_weight_shard_step is checked where MindSpore checks it (spec §4.5, §5.3)', () => {
  it('refuses a step that contradicts the layout, naming the parameter, the layout and the step it must be', () => {
    expect(() => resolve(layout([2, 2], [-1, 0], 2, 1))).toThrowError(
      expect.objectContaining({
        code: 'INVALID_LAYOUT',
        param: 'layer0.mlp.mapping.weight',
        message:
          'source strategy s.ckpt: parameter layer0.mlp.mapping.weight has layout device matrix [2, 2], tensor map [-1, 0]: its opt_weight_shard_step 1 contradicts it. The only device axis the map leaves unsplit is axis 0 (size 2), so the ranks of an optimizer-shard group lie 2 apart and the step must be 2. MindSpore refuses it too ("The optimizer sharding step 1 is not equal to the model parallel sharding size 2.").'
      })
    )
    expect(() => resolve(layout([4, 2, 2], [-1, 1, 0], -1, 1))).toThrowError(/the step must be 4\./)
  })

  it('refuses an optimizer shard with no unsplit device axis to shard over', () => {
    expect(() => resolve(layout([2, 2], [1, 0], -1, 1))).toThrowError(
      /no replicas are left to shard over; MindSpore refuses it too \("cannot sharding opt_shard"\)/
    )
  })

  it.each([
    // The optimizer-sharded layouts of the MindSpore-produced fixtures (optshard_to_noopt, pipeline2_to_mp4).
    [[2, 4], [1, -1], 2, 1],
    [[2, 4], [-1, 0], 2, 4],
    [[2, 4], [0], -1, 4],
    [[4, 2], [-1, 0], 4, 2],
    [[8], [-1], 4, 1],
    // Two unsplit axes: MindSpore checks no step, so neither do we.
    [[2, 2], [-1], 2, 1],
    [[2, 2], [-1], 2, 3],
    // Step or size 0 means "not optimizer-sharded" to MindSpore's transforms: nothing to check.
    [[2, 2], [-1, 0], 2, 0],
    [[2, 2], [-1, 0], 0, 7]
  ] as [number[], number[], number, number][])(
    'accepts %j map %j size %d step %d',
    (dev, map, size, step) => {
      expect(() => resolve(layout(dev, map, size, step))).not.toThrow()
    }
  )

  it('accepts every layout of every real and MindSpore-produced strategy file', async () => {
    const files = filesUnder(FIXTURES, '.ckpt').filter((f) => /strategy/.test(f))
    expect(files.length).toBeGreaterThanOrEqual(10)
    for (const file of files) {
      for (const l of (await readStrategyFile(file)).layouts) {
        expect(() => toShardLayout(l, l.tensorMap.length, { param: l.name, where: file })).not.toThrow()
      }
    }
  })
})

describe('distinct slices are enumerated without visiting every device', () => {
  /** The old definition: walk every rank, keep the first rank of each slice offset. */
  function bruteForce(g: ShardGeometry): { rank: number; box: unknown }[] {
    const seen = new Set<string>()
    const out: { rank: number; box: unknown }[] = []
    for (let rank = 0; rank < g.devices; rank++) {
      const box = g.boxOf(rank)
      if (seen.has(box.offset.join())) continue
      seen.add(box.offset.join())
      out.push({ rank, box })
    }
    return out
  }

  it('match walking every rank, for random layouts with optimizer shards', () => {
    const arbitrary = fc.array(fc.constantFrom(1, 2, 3, 4), { minLength: 1, maxLength: 4 }).chain((dev) =>
      fc.record({
        dev: fc.constant(dev),
        // A permutation of axes, cut into tensor dimensions; some dimensions get no axis.
        order: fc.shuffledSubarray(
          dev.map((_, i) => i),
          { minLength: 0, maxLength: dev.length }
        ),
        ndim: fc.integer({ min: 1, max: 3 }),
        opt: fc.constantFrom(0, -1, 2)
      })
    )
    fc.assert(
      fc.property(arbitrary, ({ dev, order, ndim, opt }) => {
        const map: number[][] = Array.from({ length: ndim }, () => [])
        order.forEach((axis, i) => map[i % ndim]!.push(dev.length - 1 - axis))
        const l = layout(
          dev,
          map.map((axes) => (axes.length === 0 ? -1 : axes.length === 1 ? axes[0]! : axes)),
          opt,
          0
        )
        let shard
        try {
          shard = resolve(l)
        } catch {
          return // optimizer size that does not divide the replicas: refused, nothing to enumerate
        }
        const pieces = shard.dimAxes.map(
          (axes, i) => axes.reduce((p, a) => p * dev[a]!, 1) * (i === 0 ? shard.optShards : 1)
        )
        const g = new ShardGeometry(
          shard,
          pieces.map((p) => p * 2)
        )
        expect(g.distinctSlices()).toEqual(bruteForce(g))
      }),
      { seed: 7, numRuns: 400 }
    )
  })
})
