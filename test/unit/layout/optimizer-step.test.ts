import { describe, expect, it } from 'vitest'
import { readStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import { toShardLayout } from '../../../src-main/engine/layout/shard-layout'
import type { ParamLayout, TensorMapEntry } from '../../../src-main/engine/model/strategy-set'
import { filesUnder } from '../../helpers/ckpt'
import { paramLayout } from '../../helpers/strategy-builders'
import { FIXTURES } from '../../helpers/fixtures'

const layout = (devMatrix: number[], tensorMap: TensorMapEntry[], size: number, step: number) =>
  paramLayout(devMatrix, tensorMap, {
    name: 'layer0.mlp.mapping.weight',
    optShardSize: size,
    optShardStep: step
  })

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
