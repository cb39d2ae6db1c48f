import { ShardscopeError } from '../errors'

/**
 * A parallel strategy as the engine sees it: one ParamLayout per (pipeline stage, parameter), whatever file form
 * it came from (protobuf or JSON, one stage or merged).
 */

/** One tensor dimension's split: a device axis counted from the right, `-1` for none, or several axes (2.6+). */
export type TensorMapEntry = number | number[]

export interface ParamLayout {
  /** Parameter name without the `<stage>-` prefix of merged files. */
  name: string
  /** Pipeline stage that holds this copy of the parameter. */
  stage: number
  devMatrix: number[]
  tensorMap: TensorMapEntry[]
  /** How the file stored the map: one TensorMap (`flat`) or one TensorMap per dimension (`nested`, 2.6+). */
  tensorMapForm: 'flat' | 'nested'
  /** Manual uneven split of dim 0 (Gather/EmbeddingLookup); empty almost always. */
  paramSplitShape: number[]
  indicesOffset: number[]
  /** Field size of field-split embeddings; 0 otherwise. */
  field: number
  optShardStep: number
  /** Optimizer shard count; -1 means the whole repeated group, 0 means not optimizer-sharded. */
  optShardSize: number
  /** The full shape, known only when the file records it (JSON `tensor_shape`). */
  tensorShape?: number[]
}

/** The operator strategies (`parallel_strategy_item`): informational except for the stage they name. */
export interface OperatorStrategy {
  nodeName: string
  stage: number
  strategies: number[][]
}

export type StrategyFormat = 'protobuf' | 'json'

export interface StrategySet {
  /** The file (or files, for a merged directory) it was read from. */
  sources: string[]
  format: StrategyFormat
  /** MindSpore's save counter, not a pipeline stage; kept only to write the file back unchanged. */
  currentStage: number
  /** Whether names carried `<stage>-` prefixes (a merged pipeline file). */
  merged: boolean
  operators: OperatorStrategy[]
  /** In file order. */
  layouts: ParamLayout[]
}

/** A merged file's `<digits>-name`; MindSpore splits on the first `-` and requires the prefix to be a stage. */
const STAGE_PREFIX = /^(\d+)-(.+)$/s

export function splitStagePrefix(rawName: string): { stage: number; name: string } | undefined {
  const match = STAGE_PREFIX.exec(rawName)
  return match ? { stage: Number(match[1]), name: match[2]! } : undefined
}

/** The name a layout is stored under: prefixed with its stage in merged files. */
export function storedName(layout: ParamLayout, merged: boolean): string {
  return merged ? `${layout.stage}-${layout.name}` : layout.name
}

/** Sorted pipeline stages present in the set. */
export function stagesOf(set: StrategySet): number[] {
  const stages = new Set<number>()
  for (let i = 0; i < set.layouts.length; i++) stages.add(set.layouts[i]!.stage)
  return [...stages].sort((a, b) => a - b)
}

/** Layouts of one parameter across stages (a tied embedding has one per stage), by stage. */
export function layoutsByName(set: StrategySet): Map<string, ParamLayout[]> {
  const byName = new Map<string, ParamLayout[]>()
  // Indexed loops (they run once per layout, mostly before the JIT has compiled them); one-stage lists need no sort.
  for (let i = 0; i < set.layouts.length; i++) {
    const layout = set.layouts[i]!
    const list = byName.get(layout.name)
    if (list) list.push(layout)
    else byName.set(layout.name, [layout])
  }
  for (const list of byName.values()) if (list.length > 1) list.sort((a, b) => a.stage - b.stage)
  return byName
}

/** The stage a per-stage (unmerged) file belongs to: MindSpore reads it from the first operator item. */
export function fileStage(operators: OperatorStrategy[]): number {
  return operators[0]?.stage ?? 0
}

/**
 * Assigns stages to raw layout names: prefixed names give their own stage (merged file); otherwise every layout
 * belongs to the file's stage.
 */
export function resolveStages(
  rawNames: string[],
  operators: OperatorStrategy[]
): { merged: boolean; entries: { stage: number; name: string }[] } {
  const split = rawNames.map(splitStagePrefix)
  const merged = rawNames.length > 0 && split.every((s) => s !== undefined)
  if (merged) return { merged, entries: split as { stage: number; name: string }[] }
  const stage = fileStage(operators)
  return { merged, entries: rawNames.map((name) => ({ stage, name })) }
}

export function formatMap(map: readonly TensorMapEntry[]): string {
  return `[${map.map((e) => (Array.isArray(e) ? `[${e.join(', ')}]` : String(e))).join(', ')}]`
}

/** A layout in words: device matrix and tensor map, and whatever else it sets. */
export function describeLayout(layout: ParamLayout): string {
  const parts = [
    `device matrix [${layout.devMatrix.join(', ')}]`,
    `tensor map ${formatMap(layout.tensorMap)}`
  ]
  if (layout.optShardSize !== 0 || layout.optShardStep !== 0)
    parts.push(`optimizer shard size ${layout.optShardSize} step ${layout.optShardStep}`)
  if (layout.field !== 0) parts.push(`field ${layout.field}`)
  if (layout.paramSplitShape.length > 0)
    parts.push(`param_split_shape [${layout.paramSplitShape.join(', ')}]`)
  if (layout.indicesOffset.length > 0) parts.push(`indices_offset [${layout.indicesOffset.join(', ')}]`)
  if (layout.tensorShape) parts.push(`tensor_shape [${layout.tensorShape.join(', ')}]`)
  return parts.join(', ')
}

/**
 * A parameter listed twice in one pipeline stage: MindSpore silently keeps the later entry. Identical entries
 * mean the same thing, so all but the first are dropped; entries that differ are refused, naming both, because
 * which one the training job used cannot be known.
 */
export function withoutDuplicateLayouts(layouts: ParamLayout[], file: string): ParamLayout[] {
  const seen = new Map<string, ParamLayout>()
  const kept: ParamLayout[] = []
  for (let i = 0; i < layouts.length; i++) {
    const layout = layouts[i]!
    const key = `${layout.stage}-${layout.name}`
    const earlier = seen.get(key)
    if (!earlier) {
      seen.set(key, layout)
      kept.push(layout)
    } else if (describeLayout(earlier) !== describeLayout(layout)) {
      throw new ShardscopeError(
        'INVALID_STRATEGY',
        `${file} lists parameter ${layout.name} twice in pipeline stage ${layout.stage}, with different layouts: ${describeLayout(earlier)}; and ${describeLayout(layout)}. MindSpore would silently use the second; Shardscope cannot know which one the checkpoint was saved with.`,
        { file, param: layout.name }
      )
    }
  }
  // The same array when nothing repeats, so a check of it already made still holds (strategy-limits).
  return kept.length === layouts.length ? layouts : kept
}
