import type { StrategyTable, StrategyTableLayout } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { dtypeByName } from '../engine/formats/dtypes'
import { elementCount } from '../engine/formats/tensor-entry'
import { ShardGeometry } from '../engine/layout/shard-geometry'
import { toShardLayout } from '../engine/layout/shard-layout'
import {
  layoutsByName,
  stagesOf,
  type ParamLayout,
  type StrategySet,
  type TensorMapEntry
} from '../engine/model/strategy-set'
import { buildParamCatalog, type CatalogParam } from '../engine/plan/param-catalog'
import type { Problem } from '../engine/plan/plan-types'
import { describeSide, type StrategySide } from '../engine/plan/strategy-side'
import { cachedFolder, type IndexedFolder } from './folder-cache'
import { cachedStrategy } from './strategy-cache'

const OPTIMIZER_STATE = /^(adam_[mv]|moment[12]|moments|accu_grads|lamb_[mv]|exp_avg(_sq)?)\./

// The explorer asks again whenever the workspace changes (a pair made, a view activated): answer from memory.
const KEEP = 8
const described = new Map<string, { set: StrategySet; folder?: IndexedFolder; table: StrategyTable }>()

/**
 * Everything the strategy explorer shows for a strategy: one row per (stage, parameter) with its layout and,
 * when a checkpoint folder comes with it, the real shape, dtype, slice shape and bytes per rank. Worked out once
 * per version of the strategy file and of the folder's rank files, then answered from memory.
 */
export async function describeStrategy(path: string, folder?: string): Promise<StrategyTable> {
  const set = await cachedStrategy(path)
  const problems: string[] = []
  let indexed: IndexedFolder | undefined
  if (folder) {
    try {
      indexed = await cachedFolder(folder)
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      problems.push(err.message)
    }
  }
  const key = `${path}\0${folder ?? ''}`
  const hit = described.get(key)
  if (hit && hit.set === set && hit.folder === indexed && (indexed || !folder)) return hit.table
  const table = tableOf(path, set, indexed, problems)
  // A folder that could not be read is asked about again next time: it may have been a passing error.
  if (indexed || !folder) {
    described.delete(key)
    described.set(key, { set, folder: indexed, table })
    while (described.size > KEEP) described.delete(described.keys().next().value!)
  }
  return table
}

function tableOf(
  path: string,
  set: StrategySet,
  folder: IndexedFolder | undefined,
  problems: string[]
): StrategyTable {
  let side: StrategySide | undefined
  try {
    side = describeSide(set, 'source strategy')
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    problems.push(err.message)
  }
  const catalog = new Map<string, CatalogParam>()
  if (folder && side) for (const param of catalogOf(folder, side, problems)) catalog.set(param.name, param)
  const byName = side?.byName ?? layoutsByName(set)
  const reported = new Set(problems)
  const layouts: StrategyTableLayout[] = []
  // Thousands of layers share a handful of (layout, shape, dtype): work each one out once.
  const layoutIndex = new Map<string, number>()
  const rows: StrategyTable['rows'] = { names: [], stages: [], layouts: [], optimizer: [] }
  // An indexed loop: it runs once per layout, mostly before the JIT has compiled it.
  for (let i = 0; i < set.layouts.length; i++) {
    const layout = set.layouts[i]!
    const known = catalog.size > 0 ? catalog.get(layout.name) : undefined
    const shape = known?.fullShape ?? layout.tensorShape
    const key = `${layoutKey(layout)}|${shape?.join(',') ?? '?'}|${known?.dtype ?? ''}`
    let index = layoutIndex.get(key)
    if (index === undefined) {
      const { entry, error } = tableLayout(layout, shape, known?.dtype)
      if (error && !reported.has(error)) {
        reported.add(error)
        problems.push(error)
      }
      index = layouts.push(entry) - 1
      layoutIndex.set(key, index)
    }
    rows.names.push(layout.name)
    rows.stages.push(layout.stage)
    rows.layouts.push(index)
    rows.optimizer.push(OPTIMIZER_STATE.test(layout.name) ? 1 : 0)
  }
  const shared = [...byName]
    .filter(([, list]) => list.length > 1)
    .map(([name, list]) => ({ name, stages: list.map((l) => l.stage) }))
  return {
    path,
    format: set.format,
    merged: set.merged,
    stageCount: stagesOf(set).length,
    stageDevices: side?.stageDevices ?? 0,
    problems,
    layouts,
    rows,
    shared
  }
}

/** What decides a layout's slice: a key made of plain joins, far cheaper than JSON for 20,000 rows. */
function layoutKey(layout: ParamLayout): string {
  return `${layout.devMatrix.join(',')}|${mapKey(layout.tensorMap)}|${layout.optShardSize}|${layout.optShardStep}|${layout.field}|${layout.paramSplitShape.join(',')}`
}

function mapKey(map: readonly TensorMapEntry[]): string {
  let key = ''
  for (let i = 0; i < map.length; i++) {
    const entry = map[i]!
    key += Array.isArray(entry) ? `[${entry.join(',')}],` : `${entry},`
  }
  return key
}

function tableLayout(
  layout: ParamLayout,
  shape: number[] | undefined,
  dtype: string | undefined
): { entry: StrategyTableLayout; error?: string } {
  const entry: StrategyTableLayout = {
    devMatrix: layout.devMatrix,
    tensorMap: layout.tensorMap,
    optShardSize: layout.optShardSize,
    optShardStep: layout.optShardStep,
    field: layout.field,
    sharded:
      layout.tensorMap.some((m) => (Array.isArray(m) ? m.some((v) => v >= 0) : m >= 0)) ||
      layout.optShardSize > 1 ||
      layout.optShardSize === -1
  }
  if (!shape) return { entry }
  entry.shape = shape
  try {
    const shard = toShardLayout(layout, shape.length, { param: layout.name, where: 'strategy' })
    entry.sliceShape = new ShardGeometry(shard, shape, layout.name).localShape
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    return { entry, error: err.message }
  }
  if (dtype) {
    entry.dtype = dtype
    entry.bytesPerRank = elementCount(entry.sliceShape) * (dtypeByName(dtype)?.bytes ?? 0)
  }
  return { entry }
}

function catalogOf(folder: IndexedFolder, side: StrategySide, problems: string[]): CatalogParam[] {
  try {
    const raw: Problem[] = [...folder.problems]
    const catalog = buildParamCatalog(
      side,
      describeSide(undefined, 'destination strategy'),
      folder.indexed,
      raw
    )
    for (const p of raw) if (p.severity !== 'note') problems.push(p.message)
    return catalog
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    problems.push(err.message)
    return []
  }
}
