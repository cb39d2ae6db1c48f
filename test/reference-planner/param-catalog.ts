import { isShardscopeError, ShardscopeError } from '../../src-main/engine/errors'
import { ShardGeometry } from '../../src-main/engine/layout/shard-geometry'
import {
  checkManualSplit,
  describeShardLayout,
  piecesPerDimension,
  splitsPerDimension,
  toShardLayout
} from '../../src-main/engine/layout/shard-layout'
import type { IndexedRank } from './source-index'
import type { Problem } from './plan-types'
import { stageOfRank, whereOf, type StrategySide } from '../../src-main/engine/plan/strategy-side'

/** A parameter the source holds, with its full shape worked out from a stored slice and the source layout. */
export interface CatalogParam {
  name: string
  dtype: string
  fullShape: number[]
}

/**
 * Lists the parameters the indexed source files hold, in model order, and checks them against both strategies:
 * every rank of a stage stores the same slice shape and dtype, the strategy's tensor map fits the tensor, the full
 * shape splits as the destination asks. Each disagreement becomes one problem naming file, parameter and rank;
 * a parameter with an error is left out of the catalog.
 */
export function buildParamCatalog(
  src: StrategySide,
  dst: StrategySide,
  indexed: Map<number, IndexedRank>,
  problems: Problem[],
  excluded: (name: string) => boolean = () => false
): CatalogParam[] {
  const ranks = [...indexed.values()].sort((a, b) => a.rank - b.rank)
  const names: string[] = []
  const seen = new Set<string>()
  for (const rank of ranks) {
    for (const name of rank.tensors.keys()) {
      if (!seen.has(name) && !excluded(name)) {
        seen.add(name)
        names.push(name)
      }
    }
  }
  const catalog: CatalogParam[] = []
  for (const name of names) {
    try {
      const param = describeParam(name, src, ranks)
      if (param) {
        checkDestination(param, dst)
        catalog.push(param)
      }
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      problems.push({ severity: 'error', message: err.message, param: name, file: err.file, rank: err.rank })
    }
  }
  reportListedButAbsent(src, ranks, seen, problems, excluded)
  return catalog
}

function describeParam(name: string, src: StrategySide, ranks: IndexedRank[]): CatalogParam | undefined {
  const holders = ranks.filter((r) => r.tensors.has(name))
  const first = holders[0]!.tensors.get(name)!
  const layouts = src.byName.get(name)
  if (!src.set || !layouts) {
    // Copied (or, from an unsharded source, sliced) whole: every holder must store the same tensor shape.
    requireSameSlice(name, holders, holders[0]!)
    return { name, dtype: first.dtype, fullShape: [...first.shape] }
  }
  let result: CatalogParam | undefined
  for (const layout of layouts) {
    const inStage = ranks.filter((r) => stageOfRank(src, r.rank).stage === layout.stage)
    const stageHolders = inStage.filter((r) => r.tensors.has(name))
    if (stageHolders.length === 0) continue
    const lacking = inStage.filter((r) => !r.tensors.has(name))
    if (lacking.length > 0) {
      const l = lacking[0]!
      throw new ShardscopeError(
        'PLAN_INVALID',
        `Source rank ${l.rank} (${l.path}) lacks parameter ${name}, which ${stageHolders.length === 1 ? 'rank' : 'ranks'} ${stageHolders.map((r) => r.rank).join(', ')} of pipeline stage ${layout.stage} hold${stageHolders.length === 1 ? 's' : ''}.`,
        { file: l.path, param: name, rank: l.rank }
      )
    }
    requireSameSlice(name, stageHolders, stageHolders[0]!)
    const stored = stageHolders[0]!.tensors.get(name)!
    const shard = toShardLayout(layout, stored.shape.length, { param: name, where: whereOf(src) })
    const pieces = piecesPerDimension(shard)
    const fullShape = stored.shape.map((size, i) => size * pieces[i]!)
    new ShardGeometry(shard, fullShape, name)
    checkManualSplit(layout, fullShape, splitsPerDimension(shard)[0] ?? 1, {
      param: name,
      where: whereOf(src)
    })
    if (result && result.fullShape.join() !== fullShape.join()) {
      throw new ShardscopeError(
        'PLAN_INVALID',
        `Parameter ${name} appears in several pipeline stages with different full shapes: [${result.fullShape.join(', ')}] and [${fullShape.join(', ')}] (stage ${layout.stage}, ${describeShardLayout(shard)}).`,
        { param: name }
      )
    }
    if (result && result.dtype !== stored.dtype) {
      throw new ShardscopeError(
        'PLAN_INVALID',
        `Parameter ${name} is ${result.dtype} in one pipeline stage and ${stored.dtype} in another.`,
        {
          param: name
        }
      )
    }
    result = { name, dtype: stored.dtype, fullShape }
  }
  if (!result) {
    const where = holders.map((h) => h.rank).join(', ')
    throw new ShardscopeError(
      'PLAN_INVALID',
      `Source rank ${where} stores ${name}, but the ${whereOf(src)} places it only in pipeline stage ${layouts.map((l) => l.stage).join(', ')}.`,
      { param: name, rank: holders[0]!.rank, file: holders[0]!.path }
    )
  }
  return result
}

function requireSameSlice(name: string, holders: IndexedRank[], reference: IndexedRank): void {
  const expected = reference.tensors.get(name)!
  for (const holder of holders) {
    const entry = holder.tensors.get(name)!
    if (entry.dtype !== expected.dtype || entry.shape.join() !== expected.shape.join()) {
      throw new ShardscopeError(
        'PLAN_INVALID',
        `Source rank ${holder.rank} stores ${name} as ${entry.dtype} [${entry.shape.join(', ')}] but rank ${reference.rank} stores it as ${expected.dtype} [${expected.shape.join(', ')}]; ranks of one stage must agree.`,
        { file: holder.path, param: name, rank: holder.rank }
      )
    }
  }
}

function checkDestination(param: CatalogParam, dst: StrategySide): void {
  for (const layout of dst.byName.get(param.name) ?? []) {
    const shard = toShardLayout(layout, param.fullShape.length, { param: param.name, where: whereOf(dst) })
    new ShardGeometry(shard, param.fullShape, param.name)
    if (layout.tensorShape && layout.tensorShape.join() !== param.fullShape.join()) {
      throw new ShardscopeError(
        'PLAN_INVALID',
        `The ${whereOf(dst)} gives ${param.name} the shape [${layout.tensorShape.join(', ')}], but the source checkpoint holds it as [${param.fullShape.join(', ')}].`,
        { param: param.name }
      )
    }
  }
}

/** Strategy parameters no indexed file holds: fine for optimizer states of weight-only checkpoints, but say so. */
function reportListedButAbsent(
  src: StrategySide,
  ranks: IndexedRank[],
  seen: Set<string>,
  problems: Problem[],
  excluded: (name: string) => boolean
): void {
  if (!src.set || ranks.length === 0) return
  const absent = [...src.byName.keys()].filter((name) => !seen.has(name) && !excluded(name))
  if (absent.length === 0) return
  problems.push({
    severity: 'warning',
    message: `The ${whereOf(src)} lists ${absent.length} parameter${absent.length === 1 ? '' : 's'} that no source checkpoint holds (${listNames(absent)}); ${absent.length === 1 ? 'it is' : 'they are'} skipped.`
  })
}

export function listNames(names: readonly string[], limit = 5): string {
  return names.length <= limit
    ? names.join(', ')
    : `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`
}
