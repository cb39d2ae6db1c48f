import type { ParamRow, StrategyDescription } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { dtypeByName } from '../engine/formats/dtypes'
import { elementCount } from '../engine/formats/tensor-entry'
import { ShardGeometry } from '../engine/layout/shard-geometry'
import { toShardLayout } from '../engine/layout/shard-layout'
import { layoutsByName, stagesOf, type ParamLayout } from '../engine/model/strategy-set'
import { buildParamCatalog, type CatalogParam } from '../engine/plan/param-catalog'
import type { Problem } from '../engine/plan/plan-types'
import { describeSide, type StrategySide } from '../engine/plan/strategy-side'
import { cachedFolder } from './folder-cache'
import { cachedStrategy } from './strategy-cache'

const OPTIMIZER_STATE = /^(adam_[mv]|moment[12]|moments|accu_grads|lamb_[mv]|exp_avg(_sq)?)\./

/**
 * Everything the strategy explorer shows for a strategy: one row per (stage, parameter) with its layout and,
 * when a checkpoint folder comes with it, the real shape, dtype, slice shape and bytes per rank.
 */
export async function describeStrategy(path: string, folder?: string): Promise<StrategyDescription> {
  const set = await cachedStrategy(path)
  const problems: string[] = []
  let side: StrategySide | undefined
  try {
    side = describeSide(set, 'source strategy')
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    problems.push(err.message)
  }
  const catalog = new Map<string, CatalogParam>()
  if (folder && side) {
    for (const param of await catalogOf(folder, side, problems)) catalog.set(param.name, param)
  }
  const byName = layoutsByName(set)
  // Thousands of layers share a handful of (layout, shape) pairs: work each slice shape out once.
  const slices = new Map<string, { localShape: number[] } | { error: string }>()
  const sliceOf = (layout: ParamLayout, shape: number[]) => {
    const key = JSON.stringify([
      layout.devMatrix,
      layout.tensorMap,
      layout.optShardSize,
      layout.field,
      layout.paramSplitShape,
      shape
    ])
    let slice = slices.get(key)
    if (!slice) {
      try {
        const shard = toShardLayout(layout, shape.length, { param: layout.name, where: 'strategy' })
        slice = { localShape: new ShardGeometry(shard, shape, layout.name).localShape }
      } catch (err) {
        if (!isShardscopeError(err)) throw err
        slice = { error: err.message }
      }
      slices.set(key, slice)
    }
    return slice
  }
  const params: ParamRow[] = set.layouts.map((layout) => {
    const known = catalog.get(layout.name)
    const row: ParamRow = {
      name: layout.name,
      stage: layout.stage,
      stages: byName.get(layout.name)!.map((l) => l.stage),
      devMatrix: layout.devMatrix,
      tensorMap: layout.tensorMap,
      optShardSize: layout.optShardSize,
      optShardStep: layout.optShardStep,
      field: layout.field,
      sharded:
        layout.tensorMap.some((m) => (Array.isArray(m) ? m.some((v) => v >= 0) : m >= 0)) ||
        layout.optShardSize > 1 ||
        layout.optShardSize === -1,
      optimizerState: OPTIMIZER_STATE.test(layout.name)
    }
    const shape = known?.fullShape ?? layout.tensorShape
    if (shape) {
      row.shape = shape
      const slice = sliceOf(layout, shape)
      if ('error' in slice) {
        if (!problems.includes(slice.error)) problems.push(slice.error)
      } else {
        row.sliceShape = slice.localShape
        if (known) {
          row.dtype = known.dtype
          row.bytesPerRank = elementCount(slice.localShape) * (dtypeByName(known.dtype)?.bytes ?? 0)
        }
      }
    }
    return row
  })
  return {
    path,
    format: set.format,
    merged: set.merged,
    stageCount: stagesOf(set).length,
    stageDevices: side?.stageDevices ?? 0,
    params,
    problems
  }
}

async function catalogOf(folder: string, side: StrategySide, problems: string[]): Promise<CatalogParam[]> {
  try {
    const { indexed, problems: indexing } = await cachedFolder(folder)
    const raw: Problem[] = [...indexing]
    const catalog = buildParamCatalog(side, describeSide(undefined, 'destination strategy'), indexed, raw)
    for (const p of raw) if (p.severity !== 'note') problems.push(p.message)
    return catalog
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    problems.push(err.message)
    return []
  }
}
