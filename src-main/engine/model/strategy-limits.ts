import { ShardscopeError } from '../errors'
import type { OperatorStrategy, ParamLayout, StrategySet, TensorMapEntry } from './strategy-set'

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

// A set is checked where it is read and again by every planner side built from it (the explorer, each plan):
// on 100,000 layouts that is tens of milliseconds each time. Layouts are never changed in place once read, so
// the same arrays need no second look.
const checked = new WeakMap<
  StrategySet,
  {
    layouts: readonly ParamLayout[]
    layoutCount: number
    operators: readonly OperatorStrategy[]
    operatorCount: number
    currentStage: number
  }
>()

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const UINT32_MAX = 2 ** 32 - 1

/**
 * Refuses a strategy whose numbers no real cluster has: device matrices, stage numbers and rank counts beyond
 * STRATEGY_LIMITS, sizes that are not safe integers, 32-bit protobuf fields out of their range. Runs in time
 * linear in the file's content and allocates nothing per device. `file` names the strategy in messages.
 */
export function checkStrategyLimits(set: StrategySet, file = set.sources.join(', ')): void {
  const earlier = checked.get(set)
  if (
    earlier &&
    earlier.layouts === set.layouts &&
    earlier.layoutCount === set.layouts.length &&
    earlier.operators === set.operators &&
    earlier.operatorCount === set.operators.length &&
    earlier.currentStage === set.currentStage
  )
    return
  if (!inRange(set.currentStage, 0, UINT32_MAX)) {
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `${file}: current_stage ${set.currentStage} is not a 32-bit unsigned integer.`,
      { file }
    )
  }
  if (set.layouts.length + set.operators.length > STRATEGY_LIMITS.entries) throw tooManyEntries(file)
  for (let i = 0; i < set.operators.length; i++) {
    const op = set.operators[i]!
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
  // Indexed loops, here and below: they run once per layout, mostly before the JIT has compiled them.
  for (let i = 0; i < set.layouts.length; i++) {
    const layout = set.layouts[i]!
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
  checked.set(set, {
    layouts: set.layouts,
    layoutCount: set.layouts.length,
    operators: set.operators,
    operatorCount: set.operators.length,
    currentStage: set.currentStage
  })
}

export function tooManyEntries(file: string): ShardscopeError {
  return new ShardscopeError(
    'INVALID_STRATEGY',
    `${file} holds more than ${STRATEGY_LIMITS.entries} layout and operator entries; the strategies of the largest models hold a few hundred thousand, so Shardscope does not read it.`,
    { file }
  )
}

/**
 * Checks one layout and returns its device count. Runs once per layout of strategies with a hundred thousand of
 * them, so the passing path builds no messages, closures or arrays: messages are made only to throw.
 */
function checkLayoutLimits(layout: ParamLayout, file: string): number {
  if (!inRange(layout.stage, 0, STRATEGY_LIMITS.stages - 1)) {
    throw layoutError(
      layout,
      file,
      `is in pipeline stage ${layout.stage}; Shardscope accepts stages 0 to ${STRATEGY_LIMITS.stages - 1}, more than any pipeline has`
    )
  }
  const dev = layout.devMatrix
  if (dev.length > STRATEGY_LIMITS.deviceAxes) {
    throw layoutError(
      layout,
      file,
      `${inStageOf(layout)} has a device matrix of ${dev.length} axes; Shardscope accepts at most ${STRATEGY_LIMITS.deviceAxes}`
    )
  }
  let devices = 1
  for (let i = 0; i < dev.length; i++) {
    const size = dev[i]!
    devices *= Math.abs(size)
    if (!Number.isSafeInteger(size) || devices > STRATEGY_LIMITS.stageDevices) {
      throw layoutError(
        layout,
        file,
        `${inStageOf(layout)} has device matrix [${dev.join(', ')}], which ${Number.isSafeInteger(size) ? `makes ${deviceProduct(dev)} devices in one pipeline stage` : `holds ${size}, not a size`}; Shardscope accepts at most ${STRATEGY_LIMITS.stageDevices} (2^17) devices per stage, more than any cluster has`
      )
    }
  }
  checkTensorMap(layout, file)
  if (layout.tensorShape)
    checkSizes('tensor_shape', layout.tensorShape, STRATEGY_LIMITS.tensorDims, layout, file)
  checkSizes('param_split_shape', layout.paramSplitShape, STRATEGY_LIMITS.stageDevices, layout, file)
  if (layout.indicesOffset.length > 0) {
    const badOffset = layout.indicesOffset.find((v) => !Number.isSafeInteger(v))
    if (layout.indicesOffset.length > STRATEGY_LIMITS.stageDevices || badOffset !== undefined) {
      throw layoutError(
        layout,
        file,
        `has an indices_offset ${badOffset === undefined ? 'with too many entries' : `entry ${badOffset}`}`
      )
    }
  }
  checkInt32('field', layout.field, layout, file)
  checkInt32('opt_weight_shard_step', layout.optShardStep, layout, file)
  checkInt32('opt_weight_shard_size', layout.optShardSize, layout, file)
  return devices
}

function layoutError(layout: ParamLayout, file: string, what: string): ShardscopeError {
  return new ShardscopeError('INVALID_STRATEGY', `${file}: parameter ${layout.name} ${what}.`, {
    file,
    param: layout.name
  })
}

function inStageOf(layout: ParamLayout): string {
  return `(pipeline stage ${layout.stage})`
}

function checkInt32(key: string, value: number, layout: ParamLayout, file: string): void {
  if (!inRange(value, INT32_MIN, INT32_MAX))
    throw layoutError(layout, file, `has ${key} ${value}, not a 32-bit integer`)
}

function checkTensorMap(layout: ParamLayout, file: string): void {
  const map: readonly TensorMapEntry[] = layout.tensorMap
  if (map.length > STRATEGY_LIMITS.tensorDims) {
    throw layoutError(
      layout,
      file,
      `${inStageOf(layout)} has a tensor map of ${map.length} dimensions; Shardscope accepts tensors of at most ${STRATEGY_LIMITS.tensorDims}`
    )
  }
  for (let i = 0; i < map.length; i++) {
    const entry = map[i]!
    if (!Array.isArray(entry)) {
      if (!Number.isSafeInteger(entry))
        throw layoutError(layout, file, `${inStageOf(layout)} has tensor-map value ${entry}, not an axis`)
      continue
    }
    if (entry.length > STRATEGY_LIMITS.deviceAxes) {
      throw layoutError(
        layout,
        file,
        `${inStageOf(layout)} splits one tensor dimension over ${entry.length} device axes; a device matrix has at most ${STRATEGY_LIMITS.deviceAxes}`
      )
    }
    const bad = entry.find((v) => !Number.isSafeInteger(v))
    if (bad !== undefined)
      throw layoutError(layout, file, `${inStageOf(layout)} has tensor-map value ${bad}, not an axis`)
  }
}

function checkSizes(
  key: string,
  sizes: readonly number[],
  maxLength: number,
  layout: ParamLayout,
  file: string
): void {
  if (sizes.length > maxLength)
    throw layoutError(layout, file, `has a ${key} of ${sizes.length} entries; at most ${maxLength} fit`)
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!
    if (!Number.isSafeInteger(size) || size < 0)
      throw layoutError(
        layout,
        file,
        `has ${key} entry ${size}, which is not a size (a non-negative integer below 2^53)`
      )
  }
}

function deviceProduct(dev: readonly number[]): number {
  return dev.reduce((product, size) => product * Math.abs(size), 1)
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max
}
