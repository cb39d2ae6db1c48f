import { ShardscopeError } from '../errors'
import { formatMap, type ParamLayout } from '../model/strategy-set'
import { deviceCount } from './device-matrix'

/**
 * A parameter's sharding in the form the geometry works with: for every tensor dimension the device axes
 * (indices into `devMatrix`, outermost first) it is split over, and the optimizer-shard count.
 */
export interface ShardLayout {
  devMatrix: number[]
  dimAxes: number[][]
  /** Optimizer shard count k >= 1: dimension 0 of the model-parallel slice is cut once more into k parts. */
  optShards: number
}

/** Every rank holds the whole tensor: an unsharded checkpoint, or a parameter no strategy lists. */
export function replicatedLayout(ndim: number, devices = 1): ShardLayout {
  return { devMatrix: [devices], dimAxes: Array.from({ length: ndim }, () => []), optShards: 1 }
}

export interface LayoutSubject {
  param: string
  /** Which strategy the layout came from, for messages ("source strategy ..."). */
  where: string
}

/**
 * Validates a strategy layout against the tensor's rank (number of dimensions) and resolves it. Tensor-map
 * values count device axes from the right (spec §4.3); -1 means "not split".
 */
export function toShardLayout(layout: ParamLayout, ndim: number, subject: LayoutSubject): ShardLayout {
  const fail = (why: string) =>
    new ShardscopeError(
      'INVALID_LAYOUT',
      `${subject.where}: parameter ${subject.param} has layout device matrix [${layout.devMatrix.join(', ')}], tensor map ${formatMap(layout.tensorMap)}: ${why}`,
      { param: subject.param }
    )
  const devMatrix = layout.devMatrix
  if (devMatrix.length === 0 || devMatrix.some((d) => !Number.isInteger(d) || d < 1)) {
    throw fail('the device matrix must be a non-empty list of positive integers.')
  }
  if (layout.tensorMap.length !== ndim) {
    throw fail(`the tensor map has ${layout.tensorMap.length} entries but the tensor has ${ndim} dimensions.`)
  }
  const used = new Set<number>()
  const dimAxes = layout.tensorMap.map((entry) => {
    const values = Array.isArray(entry) ? entry : [entry]
    return values
      .filter((v) => v !== -1)
      .map((v) => {
        if (!Number.isInteger(v) || v < 0 || v >= devMatrix.length) {
          throw fail(`tensor-map value ${v} names no axis of a ${devMatrix.length}-axis device matrix.`)
        }
        const axis = devMatrix.length - 1 - v
        if (used.has(axis)) throw fail(`device axis ${v} is used by two tensor dimensions.`)
        used.add(axis)
        return axis
      })
  })
  checkOptimizerStep(layout, used, fail)
  const splitDevices = dimAxes.flat().reduce((product, axis) => product * devMatrix[axis]!, 1)
  const repeated = deviceCount(devMatrix) / splitDevices
  let optShards = 1
  if (layout.optShardSize === -1) optShards = repeated
  else if (layout.optShardSize > 1) optShards = layout.optShardSize
  else if (layout.optShardSize < -1) throw fail(`opt_weight_shard_size ${layout.optShardSize} is not valid.`)
  if (optShards > 1 && repeated % optShards !== 0) {
    throw fail(
      `an optimizer shard size of ${optShards} does not divide the ${repeated} ranks that hold each model-parallel slice.`
    )
  }
  if (layout.field > 0) {
    throw fail(
      `it is a field-split embedding (field ${layout.field}). MindSpore's transform APIs ignore field while its loaders do not, so the stored slices have no single meaning; Shardscope refuses rather than guess.`
    )
  }
  return { devMatrix: [...devMatrix], dimAxes, optShards }
}

/**
 * MindSpore's own checks of an optimizer-sharded layout (`_construct_tensor_layout_for_opt_shard`, spec §4.5,
 * §5.3), made when both size and step are set: some axis of size > 1 must be left unsplit to shard over, and
 * when exactly one is, the step it records (the rank stride inside an optimizer-shard group) must be the
 * product of the axes right of it. With several unsplit axes MindSpore checks nothing, and neither do we.
 */
function checkOptimizerStep(
  layout: ParamLayout,
  usedAxes: ReadonlySet<number>,
  fail: (why: string) => ShardscopeError
): void {
  const { devMatrix, optShardSize: size, optShardStep: step } = layout
  if (size === 0 || step === 0) return
  const repeated = devMatrix.map((_, axis) => axis).filter((a) => devMatrix[a]! > 1 && !usedAxes.has(a))
  if (repeated.length === 0) {
    throw fail(
      `it is optimizer-sharded (opt_weight_shard_size ${size}, opt_weight_shard_step ${step}), but the tensor map splits every device axis, so no replicas are left to shard over; MindSpore refuses it too ("cannot sharding opt_shard").`
    )
  }
  if (repeated.length > 1) return
  const axis = repeated[0]!
  const expected = deviceCount(devMatrix.slice(axis + 1))
  if (step !== expected) {
    throw fail(
      `its opt_weight_shard_step ${step} contradicts it. The only device axis the map leaves unsplit is axis ${axis} (size ${devMatrix[axis]}), so the ranks of an optimizer-shard group lie ${expected} apart and the step must be ${expected}. MindSpore refuses it too ("The optimizer sharding step ${step} is not equal to the model parallel sharding size ${expected}.").`
    )
  }
}

/**
 * Non-empty `param_split_shape` means a manual, possibly uneven split of dimension 0. An even split, or the
 * full shape (which MindFormers' inference writer puts there), changes nothing; anything else is refused.
 */
export function checkManualSplit(
  layout: ParamLayout,
  fullShape: readonly number[],
  splitsOfDim0: number,
  subject: LayoutSubject
): void {
  const sizes = layout.paramSplitShape
  if (sizes.length === 0) return
  const even = sizes.length === splitsOfDim0 && sizes.every((s) => s * splitsOfDim0 === fullShape[0])
  const fullShapeQuirk = sizes.length === fullShape.length && sizes.every((s, i) => s === fullShape[i])
  if (even || fullShapeQuirk) return
  throw new ShardscopeError(
    'UNSUPPORTED',
    `${subject.where}: parameter ${subject.param} of shape [${fullShape.join(', ')}] has a manual uneven split of dimension 0 (param_split_shape [${sizes.join(', ')}]); MindSpore's transforms ignore it and would cut the wrong rows, and Shardscope does not reshard uneven splits.`,
    { param: subject.param }
  )
}

/** n_i: into how many blocks each tensor dimension is split (model parallelism only). */
export function splitsPerDimension(layout: ShardLayout): number[] {
  return layout.dimAxes.map((axes) => axes.reduce((product, axis) => product * layout.devMatrix[axis]!, 1))
}

/**
 * How many pieces each dimension is cut into once optimizer sharding is counted (on dimension 0): a full size is
 * the stored size times this, and a stand-in shape of exactly these sizes divides as the layout requires.
 */
export function piecesPerDimension(layout: ShardLayout): number[] {
  return splitsPerDimension(layout).map((n, dim) => (dim === 0 ? n * layout.optShards : n))
}

export function describeShardLayout(layout: ShardLayout): string {
  const map = layout.dimAxes.map((axes) =>
    axes.length === 0
      ? '-1'
      : axes.length === 1
        ? String(layout.devMatrix.length - 1 - axes[0]!)
        : `[${axes.map((a) => layout.devMatrix.length - 1 - a).join(', ')}]`
  )
  const opt = layout.optShards > 1 ? `, optimizer shards ${layout.optShards}` : ''
  return `device matrix [${layout.devMatrix.join(', ')}], tensor map [${map.join(', ')}]${opt}`
}
