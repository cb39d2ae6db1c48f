import { ShardscopeError } from '../../errors'
import { objectMembersInTextOrder, requireBoundedJson } from '../json-text'
import { checkStrategyLimits } from '../../model/strategy-limits'
import {
  resolveStages,
  withoutDuplicateLayouts,
  storedName,
  type OperatorStrategy,
  type ParamLayout,
  type StrategySet,
  type TensorMapEntry
} from '../../model/strategy-set'
import { formatPythonJson } from './python-json'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * Reads the JSON strategy form (MindSpore 2.0+, spec §3.3): `parallel_layout_item` and `parallel_strategy_item`
 * are objects keyed by name. Types are checked field by field so a hand-edited file fails with a sentence that
 * names the parameter and the key, not with a crash later.
 */
export function parseStrategyJson(text: string, file: string): StrategySet {
  let root: Json
  requireBoundedJson(text, { file, what: 'a strategy file' })
  try {
    root = JSON.parse(text) as Json
  } catch (err) {
    throw new ShardscopeError('CORRUPT', `${file} is not valid JSON (${(err as Error).message}).`, { file })
  }
  if (!isObject(root))
    throw new ShardscopeError('INVALID_STRATEGY', `${file} must hold a JSON object.`, { file })
  const layoutItems = root['parallel_layout_item'] ?? {}
  const strategyItems = root['parallel_strategy_item'] ?? {}
  if (!isObject(layoutItems)) {
    throw invalid(
      file,
      undefined,
      'parallel_layout_item',
      'an object keyed by parameter name',
      undefined,
      layoutItems
    )
  }
  if (!isObject(strategyItems)) {
    throw invalid(
      file,
      undefined,
      'parallel_strategy_item',
      'an object keyed by operator',
      undefined,
      strategyItems
    )
  }

  const operators: OperatorStrategy[] = Object.entries(strategyItems).map(([nodeName, value]) => {
    if (!isObject(value))
      throw invalid(file, nodeName, 'parallel_strategy_item entry', 'an object', 'operator')
    return {
      nodeName,
      stage: optionalInt(value['stage'], file, nodeName, 'stage', 'operator'),
      strategies: intMatrix(value['parallel_strategy'] ?? [], file, nodeName, 'parallel_strategy', 'operator')
    }
  })
  const { names: rawNames, values } = layoutItemsInTextOrder(text, layoutItems)
  const { merged, entries } = resolveStages(rawNames, operators)
  // Indexed loops and no destructuring here: these run once per layout, mostly before the JIT has compiled them.
  const layouts: ParamLayout[] = []
  for (let i = 0; i < rawNames.length; i++)
    layouts.push(paramLayout(rawNames[i]!, values[i]!, entries[i]!, file))
  const set: StrategySet = {
    sources: [file],
    format: 'json',
    currentStage: optionalInt(root['current_stage'], file, undefined, 'current_stage'),
    merged,
    operators,
    layouts
  }
  checkStrategyLimits(set, file)
  set.layouts = withoutDuplicateLayouts(layouts, file)
  return set
}

/**
 * The layout items as the text lists them, a repeated name as often as it is repeated (JSON.parse would keep
 * only the last, silently) and integer-like names in their place rather than first.
 */
function layoutItemsInTextOrder(
  text: string,
  parsed: { [key: string]: Json }
): { names: string[]; values: Json[] } {
  const members = objectMembersInTextOrder(text, ['parallel_layout_item'])
  const names: string[] = []
  const values: Json[] = []
  // As many members as distinct names: no name repeats, so each value is the one JSON.parse kept.
  const repeats = members.length !== Object.keys(parsed).length
  const counts = new Map<string, number>()
  if (repeats) for (const { key } of members) counts.set(key, (counts.get(key) ?? 0) + 1)
  for (let i = 0; i < members.length; i++) {
    const { key, valueStart, valueEnd } = members[i]!
    names.push(key)
    values.push(
      !repeats || (counts.get(key) === 1 && Object.hasOwn(parsed, key))
        ? parsed[key]!
        : (JSON.parse(text.slice(valueStart, valueEnd)) as Json)
    )
  }
  return { names, values }
}

function paramLayout(
  rawName: string,
  item: Json,
  entry: { stage: number; name: string },
  file: string
): ParamLayout {
  if (!isObject(item)) throw invalid(file, rawName, 'layout', 'an object')
  if (item['dev_matrix'] === undefined) throw missing(file, rawName, 'dev_matrix')
  if (item['tensor_map'] === undefined) throw missing(file, rawName, 'tensor_map')
  const devMatrix = intList(item['dev_matrix'], file, rawName, 'dev_matrix')
  const map = tensorMap(item['tensor_map'], file, rawName)
  const layout: ParamLayout = {
    name: entry.name,
    stage: entry.stage,
    devMatrix,
    tensorMap: map,
    tensorMapForm: map.some(Array.isArray) ? 'nested' : 'flat',
    paramSplitShape: intList(item['param_split_shape'] ?? [], file, rawName, 'param_split_shape'),
    indicesOffset: intList(item['indices_offset'] ?? [], file, rawName, 'indices_offset'),
    field: optionalInt(item['field'], file, rawName, 'field'),
    optShardStep: optionalInt(item['opt_weight_shard_step'], file, rawName, 'opt_weight_shard_step'),
    optShardSize: optionalInt(item['opt_weight_shard_size'], file, rawName, 'opt_weight_shard_size')
  }
  if (item['tensor_shape'] !== undefined)
    layout.tensorShape = intList(item['tensor_shape'], file, rawName, 'tensor_shape')
  return layout
}

/**
 * Writes JSON the way MindSpore does: a single stage's file as its C++ writer does (compact, keys sorted); a
 * merged file as `merge_pipeline_strategys` does (Python `json.dump`, insertion order).
 */
export function formatStrategyJson(set: StrategySet): string {
  const layoutItems: Record<string, Json> = {}
  for (const layout of set.layouts) layoutItems[storedName(layout, set.merged)] = layoutJson(layout)
  const strategyItems: Record<string, Json> = {}
  for (const op of set.operators)
    strategyItems[op.nodeName] = { parallel_strategy: op.strategies, stage: op.stage }
  if (set.merged) {
    return formatPythonJson({
      current_stage: set.currentStage,
      parallel_strategy_item: strategyItems,
      parallel_layout_item: layoutItems
    })
  }
  return JSON.stringify(
    sortKeys({
      current_stage: set.currentStage,
      parallel_layout_item: layoutItems,
      parallel_strategy_item: strategyItems
    })
  )
}

function layoutJson(layout: ParamLayout): Json {
  const item: Record<string, Json> = {
    dev_matrix: layout.devMatrix,
    field: layout.field,
    opt_weight_shard_size: layout.optShardSize,
    opt_weight_shard_step: layout.optShardStep,
    tensor_map: layout.tensorMap
  }
  // MindSpore writes these two only for manual (uneven) splits, and tensor_shape only when it knows the shape.
  if (layout.paramSplitShape.length > 0) item['param_split_shape'] = layout.paramSplitShape
  if (layout.indicesOffset.length > 0) item['indices_offset'] = layout.indicesOffset
  if (layout.tensorShape) item['tensor_shape'] = layout.tensorShape
  return sortKeys(item)
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isObject(value)) return value
  const sorted: Record<string, Json> = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]!)
  return sorted
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isInt(value: Json | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value)
}

function intList(value: Json, file: string, name: string, key: string): number[] {
  if (!Array.isArray(value)) throw invalid(file, name, key, 'a list of integers', undefined, value)
  for (let i = 0; i < value.length; i++)
    if (!isInt(value[i])) throw invalid(file, name, key, 'a list of integers', undefined, value)
  return value as number[]
}

function intMatrix(value: Json, file: string, name: string, key: string, owner: string): number[][] {
  if (!Array.isArray(value)) throw invalid(file, name, key, 'a list of integer lists', owner, value)
  return value.map((row) => {
    if (!Array.isArray(row) || !row.every(isInt))
      throw invalid(file, name, key, 'a list of integer lists', owner, value)
    return row as number[]
  })
}

function tensorMap(value: Json, file: string, name: string): TensorMapEntry[] {
  if (!Array.isArray(value) || !value.every(isAxisEntry))
    throw invalid(file, name, 'tensor_map', 'a list of integers (or of integer lists)', undefined, value)
  return value as TensorMapEntry[]
}

function isAxisEntry(entry: Json): boolean {
  if (isInt(entry)) return true
  if (!Array.isArray(entry)) return false
  for (let i = 0; i < entry.length; i++) if (!isInt(entry[i])) return false
  return true
}

function optionalInt(
  value: Json | undefined,
  file: string,
  name: string | undefined,
  key: string,
  owner?: string
): number {
  if (value === undefined) return 0
  if (!isInt(value)) throw invalid(file, name, key, 'an integer', owner, value)
  return value
}

function invalid(
  file: string,
  name: string | undefined,
  key: string,
  expected: string,
  owner = 'parameter',
  got?: Json
): ShardscopeError {
  const where = name === undefined ? '' : ` ${owner} ${name}:`
  const shown = got === undefined ? '' : `, got ${JSON.stringify(got).slice(0, 60)}`
  return new ShardscopeError('INVALID_STRATEGY', `${file}:${where} ${key} must be ${expected}${shown}.`, {
    file,
    param: owner === 'parameter' ? name : undefined
  })
}

function missing(file: string, name: string, key: string): ShardscopeError {
  return new ShardscopeError('INVALID_STRATEGY', `${file}: parameter ${name} has no ${key}.`, {
    file,
    param: name
  })
}
