import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import { mergeStageStrategies } from '../../../src-main/engine/formats/strategy/strategy-merge'
import { encodeStrategyProtobuf } from '../../../src-main/engine/formats/strategy/strategy-protobuf'
import { STRATEGY_LIMITS } from '../../../src-main/engine/model/strategy-limits'
import type { StrategySet } from '../../../src-main/engine/model/strategy-set'
import { sourceRankLists } from '../../../src-main/engine/plan/rank-lists'
import { describeSide } from '../../../src-main/engine/plan/strategy-side'
import { paramLayout, strategyOf } from '../../helpers/strategy-builders'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/** Writes the strategy as MindSpore's protobuf (which can hold any uint32) and returns the path. */
function protobufFile(set: StrategySet): string {
  const path = join(tempDir(), 'hostile_strategy.ckpt')
  writeFileSync(path, encodeStrategyProtobuf(set))
  return path
}

function jsonFile(text: string): string {
  const path = join(tempDir(), 'hostile_strategy.json')
  writeFileSync(path, text)
  return path
}

const jsonLayout = (item: Record<string, unknown>, name = 'w') =>
  JSON.stringify({
    current_stage: 1,
    parallel_layout_item: { [name]: { dev_matrix: [2], tensor_map: [0], ...item } },
    parallel_strategy_item: {}
  })

async function expectRefused(path: string, ...fragments: string[]) {
  const error = await readStrategyFile(path).then(
    () => undefined,
    (err: unknown) => err
  )
  expect(error).toMatchObject({ code: 'INVALID_STRATEGY', file: path })
  const message = (error as Error).message
  expect(message.startsWith(path)).toBe(true)
  for (const fragment of fragments) expect(message).toContain(fragment)
}

describe('absurd numbers in strategy files are refused when read, naming file, parameter and value', () => {
  it.each([
    [[65536, 65536], 'device matrix [65536, 65536], which makes 4294967296 devices in one pipeline stage'],
    [[4294967295], 'device matrix [4294967295], which makes 4294967295 devices'],
    [[512, 512], 'makes 262144 devices']
  ])('protobuf device matrix %j', async (dev, message) => {
    await expectRefused(
      protobufFile(strategyOf([paramLayout(dev, [0])])),
      'parameter w (pipeline stage 0)',
      message,
      'at most 131072 (2^17) devices per stage'
    )
  })

  it('a device matrix of more than 16 axes', async () => {
    await expectRefused(
      protobufFile(strategyOf([paramLayout(new Array<number>(17).fill(1), [0])])),
      'parameter w (pipeline stage 0) has a device matrix of 17 axes; Shardscope accepts at most 16'
    )
  })

  it('stage 4294967295 in a merged file and in the operator that names a per-stage file’s stage', async () => {
    await expectRefused(
      protobufFile(strategyOf([paramLayout([2], [0], { stage: 4294967295 })])),
      'parameter w is in pipeline stage 4294967295; Shardscope accepts stages 0 to 4095'
    )
    await expectRefused(
      protobufFile(
        strategyOf([paramLayout([2], [0])], {
          operators: [{ nodeName: 'MatMul_w', stage: 4294967295, strategies: [] }]
        })
      ),
      'operator MatMul_w is in pipeline stage 4294967295'
    )
  })

  it('more ranks in all than 2^17, though each stage is within bounds', async () => {
    const set = strategyOf([paramLayout([65536], [0]), paramLayout([65536], [0], { stage: 2 })])
    await expectRefused(protobufFile(set), '3 pipeline stages of 65536 devices, 196608 ranks in all')
  })

  it.each([
    [{ dev_matrix: [1e300] }, 'has device matrix [1e+300], which holds 1e+300, not a size'],
    [{ dev_matrix: [65536, 65536] }, 'which makes 4294967296 devices'],
    [{ tensor_shape: [8, 1e300] }, 'has tensor_shape entry 1e+300, which is not a size'],
    [{ tensor_shape: [-8] }, 'has tensor_shape entry -8'],
    [{ param_split_shape: [2 ** 60, 1] }, 'has param_split_shape entry 1152921504606847000'],
    [{ tensor_map: new Array(33).fill(-1) }, 'has a tensor map of 33 dimensions'],
    [
      { tensor_map: [[0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]] },
      'over 17 device axes'
    ],
    [{ opt_weight_shard_size: 2 ** 31 }, 'has opt_weight_shard_size 2147483648, not a 32-bit integer'],
    [{ field: -1e300 }, 'has field -1e+300, not a 32-bit integer']
  ])('JSON %j', async (item, message) => {
    await expectRefused(jsonFile(jsonLayout(item)), 'parameter w', message)
  })

  it('JSON stage and current_stage out of range', async () => {
    await expectRefused(
      jsonFile(jsonLayout({}, '4294967295-w')),
      'parameter w is in pipeline stage 4294967295'
    )
    await expectRefused(
      jsonFile(JSON.stringify({ current_stage: -1, parallel_layout_item: {} })),
      'current_stage -1 is not a 32-bit unsigned integer'
    )
  })

  it('more layout and operator entries than 2^20, counted before decoding builds them', async () => {
    // current_stage 1, then 2^20 + 1 empty layout items of two bytes each (a 2 MiB file).
    const path = join(tempDir(), 'many.ckpt')
    writeFileSync(
      path,
      Buffer.concat([Buffer.from([0x08, 0x01]), Buffer.alloc(2 * (2 ** 20 + 1), Buffer.from([0x1a, 0x00]))])
    )
    await expectRefused(path, 'holds more than 1048576 layout and operator entries')
  })

  it('accepts the limits themselves', async () => {
    const atLimit = strategyOf([
      paramLayout([2 ** 16], [0]),
      paramLayout([2 ** 16], [-1], { name: 'b', stage: 1 }),
      paramLayout(new Array<number>(16).fill(1), new Array<number>(32).fill(-1), { name: 'c' })
    ])
    expect((await readStrategyFile(protobufFile(atLimit))).layouts).toHaveLength(3)
    expect(STRATEGY_LIMITS).toEqual({
      deviceAxes: 16,
      stageDevices: 131072,
      stages: 4096,
      ranks: 131072,
      tensorDims: 32,
      entries: 1048576
    })
  })
})

describe('strategies built in memory are bounded before anything is sized by them', () => {
  it('the planner refuses stage 4294967295 instead of allocating an array of that length', () => {
    const set = strategyOf([paramLayout([2], [0], { stage: 4294967295 })])
    expect(() => describeSide(set, 'source strategy')).toThrowError(
      expect.objectContaining({
        code: 'INVALID_STRATEGY',
        message: expect.stringContaining('stage 4294967295')
      })
    )
    expect(() => sourceRankLists(strategyOf([paramLayout([65536, 65536], [1, 0])]), undefined)).toThrowError(
      /4294967296 devices in one pipeline stage/
    )
  })

  it('a set checked once is checked again when its layouts or operators are replaced or grown', () => {
    const set = strategyOf([paramLayout([2], [0])])
    expect(() => describeSide(set, 'source strategy')).not.toThrow()
    set.layouts.push(paramLayout([65536, 65536], [1, 0], { name: 'grown' }))
    expect(() => describeSide(set, 'source strategy')).toThrowError(/parameter grown .*4294967296 devices/)
    set.layouts = [paramLayout([2], [0], { stage: 4294967295, name: 'replaced' })]
    expect(() => describeSide(set, 'source strategy')).toThrowError(
      /parameter replaced is in pipeline stage 4294967295/
    )
    set.layouts = [paramLayout([2], [0])]
    set.operators = [{ nodeName: 'MatMul_w', stage: 4294967295, strategies: [] }]
    expect(() => describeSide(set, 'source strategy')).toThrowError(
      /operator MatMul_w is in pipeline stage 4294967295/
    )
  })

  it('merging per-stage files refuses a stage number beyond the limit before looking for gaps', () => {
    const set = strategyOf([paramLayout([2], [0])], {
      sources: ['stage_x.ckpt'],
      operators: [{ nodeName: 'MatMul_w', stage: 4294967295, strategies: [] }]
    })
    expect(() => mergeStageStrategies([set], 'strategies/')).toThrowError(
      /stage_x\.ckpt: operator MatMul_w is in pipeline stage 4294967295/
    )
  })

  it('merging refuses stages that together hold more ranks than 2^17', () => {
    const stage = (s: number) =>
      strategyOf([paramLayout([65536], [0])], {
        sources: [`stage${s}.ckpt`],
        operators: [{ nodeName: 'MatMul_w', stage: s, strategies: [] }]
      })
    expect(() => mergeStageStrategies([stage(0), stage(1), stage(2)], 'strategies/')).toThrowError(
      /^strategies\/ describes 3 pipeline stages of 65536 devices, 196608 ranks in all/
    )
  })
})
