import type { ParamLayout } from '../model/strategy-set'
import { listNames } from './param-catalog'
import type { Problem } from './plan-types'
import type { StrategySide } from './strategy-side'

/**
 * Where MindSpore's own transform would refuse, or silently produce something else, and Shardscope does the
 * right thing instead: said in a note so nobody is surprised when outputs differ from MindSpore's.
 */
export function mindsporeDifferences(
  src: StrategySide,
  dst: StrategySide,
  dtypes: Map<string, string>,
  problems: Problem[]
): void {
  const a = src.stageDevices
  const b = dst.stageDevices
  if (a % b !== 0 && b % a !== 0) {
    problems.push({
      severity: 'note',
      message: `MindSpore refuses to transform ${a} devices per stage to ${b} ("Cannot transform device_num"), because neither divides the other; Shardscope converts them exactly.`
    })
  }
  const transposed = [...src.byName.values(), ...dst.byName.values()]
    .flat()
    .filter(transposedWithOptimizerShard)
  if (transposed.length > 0) {
    const names = [...new Set(transposed.map((l) => l.name))]
    problems.push({
      severity: 'note',
      message: `${listNames(names)} combine${names.length === 1 ? 's' : ''} a transposed tensor map with optimizer sharding; MindSpore's transform assigns such slices to the wrong ranks (spec §4.5), Shardscope follows the layout the training run actually used.`
    })
  }
  const int4 = [...dtypes].filter(([, dtype]) => dtype === 'Int4').map(([name]) => name)
  if (int4.length > 0) {
    const one = int4.length === 1
    problems.push({
      severity: 'note',
      message: `${listNames(int4)} ${one ? 'stays' : 'stay'} Int4; MindSpore's transform would write ${one ? 'it' : 'them'} as Int8.`
    })
  }
  const text = [...dtypes].filter(([, dtype]) => dtype === 'str').map(([name]) => name)
  if (text.length > 0) {
    const one = text.length === 1
    problems.push({
      severity: 'note',
      message: `${listNames(text)} ${one ? 'holds' : 'hold'} text; MindSpore's transform crashes on such entries, Shardscope copies ${one ? 'it' : 'them'}.`
    })
  }
}

/**
 * The case spec §4.5 found MindSpore's fast path getting wrong: optimizer sharding whose only repeated axis is
 * axis 0, with a dimension earlier in the shape using a device axis further right than a later one.
 */
function transposedWithOptimizerShard(layout: ParamLayout): boolean {
  if (layout.optShardSize === 0 || layout.optShardSize === 1) return false
  const values = layout.tensorMap
    .flatMap((entry) => (Array.isArray(entry) ? entry : [entry]))
    .filter((m) => m >= 0)
  const used = new Set(values.map((v) => layout.devMatrix.length - 1 - v))
  const repeated = layout.devMatrix
    .map((size, axis) => (size > 1 && !used.has(axis) ? axis : -1))
    .filter((axis) => axis >= 0)
  // Tensor-map values count axes from the right, so in-order use means descending values.
  const transposed = values.some((value, i) => i > 0 && value > values[i - 1]!)
  return transposed && repeated.length === 1 && repeated[0] === 0
}
