import { isShardscopeError, ShardscopeError } from '../errors'
import { ShardGeometry } from '../layout/shard-geometry'
import {
  checkManualSplit,
  describeShardLayout,
  piecesPerDimension,
  splitsPerDimension
} from '../layout/shard-layout'
import { ShardLayoutCache } from '../layout/shard-layout-cache'
import type { RecordList, SourceIndex } from './source-index'
import type { Problem } from './plan-types'
import { stageOfRank, whereOf, type StrategySide } from './strategy-side'

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
 * a parameter with an error is left out of the catalog. Ranks sharing a record list are checked once.
 */
export function buildParamCatalog(
  src: StrategySide,
  dst: StrategySide,
  index: SourceIndex,
  problems: Problem[],
  excluded: (name: string) => boolean = () => false
): CatalogParam[] {
  const holders = new HolderGroups(index, src)
  const layouts = { src: new ShardLayoutCache(), dst: new ShardLayoutCache() }
  const catalog: CatalogParam[] = []
  for (const name of index.names) {
    if (excluded(name)) continue
    try {
      const param = describeParam(name, index.nameId(name)!, src, holders, layouts.src)
      if (param) {
        checkDestination(param, dst, layouts.dst)
        catalog.push(param)
      }
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      problems.push({ severity: 'error', message: err.message, param: name, file: err.file, rank: err.rank })
    }
  }
  reportListedButAbsent(src, index, problems, excluded)
  return catalog
}

/** Ranks that share a record list, found once: per stage (for strategies) and for the whole folder. */
class HolderGroups {
  readonly all: Group[]
  private readonly byStage = new Map<number, Group[]>()

  constructor(
    readonly index: SourceIndex,
    private readonly src: StrategySide
  ) {
    this.all = index.lists.map((list) => ({ list, ranks: list.ranks }))
    for (const list of index.lists)
      for (const rank of list.ranks) {
        const stage = stageOfRank(src, rank).stage
        const groups = this.byStage.get(stage) ?? []
        const group = groups.find((g) => g.list === list)
        if (group) group.ranks.push(rank)
        else groups.push({ list, ranks: [rank] })
        this.byStage.set(stage, groups)
      }
  }

  inStage(stage: number): Group[] {
    return this.byStage.get(stage) ?? []
  }

  holding(groups: Group[], id: number): Group[] {
    return groups.filter((g) => this.index.position(g.list, id) >= 0)
  }

  entry(group: Group, id: number): { dtype: string; shape: number[] } {
    const i = this.index.position(group.list, id)
    return { dtype: group.list.dtypes[i]!, shape: this.index.shape(group.list, i) }
  }

  path(rank: number): string {
    return this.index.file(rank)!.path
  }
}

interface Group {
  list: RecordList
  /** Ascending. */
  ranks: number[]
}

const lowest = (groups: Group[]) => Math.min(...groups.map((g) => g.ranks[0]!))
const ranksOf = (groups: Group[]) => groups.flatMap((g) => g.ranks).sort((a, b) => a - b)

function describeParam(
  name: string,
  id: number,
  src: StrategySide,
  holders: HolderGroups,
  cache: ShardLayoutCache
): CatalogParam | undefined {
  const layouts = src.byName.get(name)
  if (!src.set || !layouts) {
    // Copied (or, from an unsharded source, sliced) whole: every holder must store the same tensor shape.
    const all = holders.holding(holders.all, id)
    const first = requireSameSlice(name, id, all, holders)
    return { name, dtype: first.dtype, fullShape: first.shape }
  }
  let result: CatalogParam | undefined
  for (const layout of layouts) {
    const inStage = holders.inStage(layout.stage)
    const stageHolders = holders.holding(inStage, id)
    if (stageHolders.length === 0) continue
    const lacking = inStage.filter((g) => !stageHolders.includes(g))
    if (lacking.length > 0) {
      const l = lowest(lacking)
      const holding = ranksOf(stageHolders)
      throw new ShardscopeError(
        'PLAN_INVALID',
        `Source rank ${l} (${holders.path(l)}) lacks parameter ${name}, which ${holding.length === 1 ? 'rank' : 'ranks'} ${holding.join(', ')} of pipeline stage ${layout.stage} hold${holding.length === 1 ? 's' : ''}.`,
        { file: holders.path(l), param: name, rank: l }
      )
    }
    const stored = requireSameSlice(name, id, stageHolders, holders)
    const shard = cache.resolve(layout, stored.shape.length, { param: name, where: whereOf(src) }).layout
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
    const all = holders.holding(holders.all, id)
    const first = lowest(all)
    throw new ShardscopeError(
      'PLAN_INVALID',
      `Source rank ${ranksOf(all).join(', ')} stores ${name}, but the ${whereOf(src)} places it only in pipeline stage ${layouts.map((l) => l.stage).join(', ')}.`,
      { param: name, rank: first, file: holders.path(first) }
    )
  }
  return result
}

/** The tensor as the lowest-ranked holder stores it, after checking that every other holder agrees. */
function requireSameSlice(
  name: string,
  id: number,
  groups: Group[],
  holders: HolderGroups
): { dtype: string; shape: number[] } {
  const reference = groups.reduce((a, b) => (b.ranks[0]! < a.ranks[0]! ? b : a))
  const expected = holders.entry(reference, id)
  const differing = groups.filter((g) => {
    const entry = holders.entry(g, id)
    return entry.dtype !== expected.dtype || entry.shape.join() !== expected.shape.join()
  })
  if (differing.length > 0) {
    const rank = lowest(differing)
    const entry = holders.entry(
      differing.find((g) => g.ranks[0] === rank)!,
      id
    )
    throw new ShardscopeError(
      'PLAN_INVALID',
      `Source rank ${rank} stores ${name} as ${entry.dtype} [${entry.shape.join(', ')}] but rank ${reference.ranks[0]} stores it as ${expected.dtype} [${expected.shape.join(', ')}]; ranks of one stage must agree.`,
      { file: holders.path(rank), param: name, rank }
    )
  }
  return expected
}

function checkDestination(param: CatalogParam, dst: StrategySide, cache: ShardLayoutCache): void {
  for (const layout of dst.byName.get(param.name) ?? []) {
    const subject = { param: param.name, where: whereOf(dst) }
    const shard = cache.resolve(layout, param.fullShape.length, subject).layout
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
  index: SourceIndex,
  problems: Problem[],
  excluded: (name: string) => boolean
): void {
  if (!src.set || index.size === 0) return
  const absent = [...src.byName.keys()].filter((name) => index.nameId(name) === undefined && !excluded(name))
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
