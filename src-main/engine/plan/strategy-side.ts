import { ShardscopeError } from '../errors'
import { deviceCount } from '../layout/device-matrix'
import { checkStrategyLimits } from '../model/strategy-limits'
import { layoutsByName, stagesOf, type ParamLayout, type StrategySet } from '../model/strategy-set'

/**
 * One side of a conversion (source or destination) as the planner needs it: how many pipeline stages, how many
 * devices per stage, and each parameter's layouts by stage. No strategy means a single unsharded checkpoint.
 */
export interface StrategySide {
  label: 'source strategy' | 'destination strategy'
  set?: StrategySet
  stageDevices: number
  stageCount: number
  /** Layouts of each parameter, one per stage that holds it, ascending by stage. */
  byName: Map<string, ParamLayout[]>
}

export function describeSide(set: StrategySet | undefined, label: StrategySide['label']): StrategySide {
  if (!set) return { label, stageDevices: 1, stageCount: 1, byName: new Map() }
  const where = `${label} ${set.sources.join(', ')}`
  // Stage numbers and device counts size the loops below and every per-rank loop of the planner: bound them first.
  checkStrategyLimits(set)
  if (set.layouts.length === 0) {
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `The ${where} has no parameter layouts (no sliced parameter).`,
      {
        file: set.sources[0]
      }
    )
  }
  const stages = stagesOf(set)
  const missing = Array.from({ length: stages[stages.length - 1]! + 1 }, (_, s) => s).filter(
    (s) => !stages.includes(s)
  )
  if (missing.length > 0) {
    const hint = set.merged
      ? 'a merged pipeline strategy must hold every stage from 0 up'
      : 'pass the folder holding every stage’s strategy file (Shardscope merges them), or the merged file'
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `The ${where} holds pipeline stage ${stages.join(', ')} but not stage ${missing.join(', ')}; ${hint}.`,
      { file: set.sources[0] }
    )
  }
  // MindSpore takes the stage's device count from its first layout; every other layout must agree with it.
  const first = set.layouts[0]!
  const stageDevices = deviceCount(first.devMatrix)
  if (stageDevices < 1 || first.devMatrix.length === 0) {
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `The ${where} has an empty device matrix for ${first.name}: it describes only pipeline parallelism, which cannot be resharded.`,
      { file: set.sources[0], param: first.name }
    )
  }
  let oddCount = 0
  let firstOdd: ParamLayout | undefined
  for (let i = 0; i < set.layouts.length; i++) {
    const layout = set.layouts[i]!
    if (deviceCount(layout.devMatrix) === stageDevices) continue
    oddCount++
    firstOdd ??= layout
  }
  if (firstOdd) {
    const l = firstOdd
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `The ${where} is inconsistent: ${l.name} (stage ${l.stage}) has device matrix [${l.devMatrix.join(', ')}] for ${deviceCount(l.devMatrix)} devices, but the stage has ${stageDevices}${oddCount > 1 ? ` (and ${oddCount - 1} more like it)` : ''}.`,
      { file: set.sources[0], param: l.name }
    )
  }
  return { label, set, stageDevices, stageCount: stages.length, byName: layoutsByName(set) }
}

export function rankCount(side: StrategySide): number {
  return side.stageDevices * side.stageCount
}

export function stageOfRank(side: StrategySide, globalRank: number): { stage: number; local: number } {
  return { stage: Math.floor(globalRank / side.stageDevices), local: globalRank % side.stageDevices }
}

/** The layout a parameter has in one stage, if that stage holds it. */
export function layoutInStage(side: StrategySide, name: string, stage: number): ParamLayout | undefined {
  return side.byName.get(name)?.find((l) => l.stage === stage)
}

export function whereOf(side: StrategySide): string {
  return side.set ? `${side.label} ${side.set.sources.join(', ')}` : side.label
}
