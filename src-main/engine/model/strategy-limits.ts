import { ShardscopeError } from '../errors'
import type { ParamLayout, StrategySet, TensorMapEntry } from './strategy-set'

/**
 * Bounds on the numbers a strategy may hold, set by what a real cluster can have with room to spare, so that no
 * loop or allocation per device, rank or stage is ever sized by an unchecked number from a file. The largest
 * Ascend clusters have tens of thousands of NPUs; MindSpore's own tensors have at most 8 dimensions.
 */
export const STRATEGY_LIMITS = {
  /** Axes of one device matrix. */
  deviceAxes: 16,
  /** Devices in one pipeline stage (the product of a device matrix). */
  stageDevices: 2 ** 17,
  /** Pipeline stages (stage numbers 0 to 4095). */
  stages: 2 ** 12,
  /** All ranks of a strategy: stages × devices per stage. */
  ranks: 2 ** 17,
  /** Dimensions of one tensor (NumPy's limit is 32 or 64, MindSpore's 8). */
  tensorDims: 32,
  /**
   * Layout and operator entries together: a 671B mixture-of-experts model with optimizer states has a few hundred
   * thousand; a 256 MiB file of empty 2-byte entries would have 128 million and exhaust memory while decoding.
   */
  entries: 2 ** 20
} as const

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const UINT32_MAX = 2 ** 32 - 1

/**
 * Refuses a strategy whose numbers no real cluster has: device matrices, stage numbers and rank counts beyond
 * STRATEGY_LIMITS, sizes that are not safe integers, 32-bit protobuf fields out of their range. Runs in time
 * linear in the file's content and allocates nothing per device. `file` names the strategy in messages.
 */
export function checkStrategyLimits(set: StrategySet, file = set.sources.join(', ')): void {
  if (!inRange(set.currentStage, 0, UINT32_MAX)) {
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `${file}: current_stage ${set.currentStage} is not a 32-bit unsigned integer.`,
      { file }
    )
  }
  if (set.layouts.length + set.operators.length > STRATEGY_LIMITS.entries) throw tooManyEntries(file)
  for (const op of set.operators) {
    if (!inRange(op.stage, 0, STRATEGY_LIMITS.stages - 1)) {
      throw new ShardscopeError(
        'INVALID_STRATEGY',
        `${file}: operator ${op.nodeName} is in pipeline stage ${op.stage}; Shardscope accepts stages 0 to ${STRATEGY_LIMITS.stages - 1}, more than any pipeline has.`,
        { file }
      )
    }
  }
  let lastStage = 0
  let stageDevices = 1
  for (const layout of set.layouts) {
    stageDevices = Math.max(stageDevices, checkLayoutLimits(layout, file))
    lastStage = Math.max(lastStage, layout.stage)
  }
  const ranks = (lastStage + 1) * stageDevices
  if (ranks > STRATEGY_LIMITS.ranks) {
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `${file} describes ${lastStage + 1} pipeline stages of ${stageDevices} devices, ${ranks} ranks in all; Shardscope accepts at most ${STRATEGY_LIMITS.ranks} (2^17) ranks, more than any cluster has.`,
      { file }
    )
  }
}

export function tooManyEntries(file: string): ShardscopeError {
  return new ShardscopeError(
    'INVALID_STRATEGY',
    `${file} holds more than ${STRATEGY_LIMITS.entries} layout and operator entries; the strategies of the largest models hold a few hundred thousand, so Shardscope does not read it.`,
    { file }
  )
}

/** Checks one layout and returns its device count. */
function checkLayoutLimits(layout: ParamLayout, file: string): number {
  const fail = (what: string) =>
    new ShardscopeError('INVALID_STRATEGY', `${file}: parameter ${layout.name} ${what}.`, {
      file,
      param: layout.name
    })
  if (!inRange(layout.stage, 0, STRATEGY_LIMITS.stages - 1)) {
    throw fail(
      `is in pipeline stage ${layout.stage}; Shardscope accepts stages 0 to ${STRATEGY_LIMITS.stages - 1}, more than any pipeline has`
    )
  }
  const inStage = `(pipeline stage ${layout.stage})`
  const dev = layout.devMatrix
  if (dev.length > STRATEGY_LIMITS.deviceAxes) {
    throw fail(
      `${inStage} has a device matrix of ${dev.length} axes; Shardscope accepts at most ${STRATEGY_LIMITS.deviceAxes}`
    )
  }
  let devices = 1
  for (const size of dev) {
    devices *= Math.abs(size)
    if (!Number.isSafeInteger(size) || devices > STRATEGY_LIMITS.stageDevices) {
      throw fail(
        `${inStage} has device matrix [${dev.join(', ')}], which ${Number.isSafeInteger(size) ? `makes ${deviceProduct(dev)} devices in one pipeline stage` : `holds ${size}, not a size`}; Shardscope accepts at most ${STRATEGY_LIMITS.stageDevices} (2^17) devices per stage, more than any cluster has`
      )
    }
  }
  checkTensorMap(layout.tensorMap, inStage, fail)
  if (layout.tensorShape) checkSizes('tensor_shape', layout.tensorShape, STRATEGY_LIMITS.tensorDims, fail)
  checkSizes('param_split_shape', layout.paramSplitShape, STRATEGY_LIMITS.stageDevices, fail)
  const badOffset = layout.indicesOffset.find((v) => !Number.isSafeInteger(v))
  if (layout.indicesOffset.length > STRATEGY_LIMITS.stageDevices || badOffset !== undefined) {
    throw fail(
      `has an indices_offset ${badOffset === undefined ? 'with too many entries' : `entry ${badOffset}`}`
    )
  }
  for (const [key, value] of [
    ['field', layout.field],
    ['opt_weight_shard_step', layout.optShardStep],
    ['opt_weight_shard_size', layout.optShardSize]
  ] as const) {
    if (!inRange(value, INT32_MIN, INT32_MAX)) throw fail(`has ${key} ${value}, not a 32-bit integer`)
  }
  return devices
}

function checkTensorMap(
  map: readonly TensorMapEntry[],
  inStage: string,
  fail: (what: string) => ShardscopeError
): void {
  if (map.length > STRATEGY_LIMITS.tensorDims) {
    throw fail(
      `${inStage} has a tensor map of ${map.length} dimensions; Shardscope accepts tensors of at most ${STRATEGY_LIMITS.tensorDims}`
    )
  }
  for (const entry of map) {
    const values = Array.isArray(entry) ? entry : [entry]
    if (values.length > STRATEGY_LIMITS.deviceAxes) {
      throw fail(
        `${inStage} splits one tensor dimension over ${values.length} device axes; a device matrix has at most ${STRATEGY_LIMITS.deviceAxes}`
      )
    }
    const bad = values.find((v) => !Number.isSafeInteger(v))
    if (bad !== undefined) throw fail(`${inStage} has tensor-map value ${bad}, not an axis`)
  }
}

function checkSizes(
  key: string,
  sizes: readonly number[],
  maxLength: number,
  fail: (what: string) => ShardscopeError
): void {
  if (sizes.length > maxLength)
    throw fail(`has a ${key} of ${sizes.length} entries; at most ${maxLength} fit`)
  const bad = sizes.find((s) => !Number.isSafeInteger(s) || s < 0)
  if (bad !== undefined) {
    throw fail(`has ${key} entry ${bad}, which is not a size (a non-negative integer below 2^53)`)
  }
}

function deviceProduct(dev: readonly number[]): number {
  return dev.reduce((product, size) => product * Math.abs(size), 1)
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max
}
