import { ShardGeometry } from '../layout/shard-geometry'
import { replicatedLayout } from '../layout/shard-layout'
import { ShardLayoutCache, type ResolvedLayout } from '../layout/shard-layout-cache'
import type { ParamLayout } from '../model/strategy-set'
import type { CopyReason, LayoutClass, RecipeEntry, StageRecipe } from './plan-types'
import { whereOf, type StrategySide } from './strategy-side'

export interface ParamToPlace {
  name: string
  /** Full shape if known (real checkpoints) — otherwise a shape every split of both layouts divides. */
  fullShape: number[]
  /** Unknown (empty) when planning from strategies alone. */
  dtype?: string
}

/**
 * What each destination stage writes, and how (spec §4.13): resharded parameters are those both strategies
 * place (or that an unsharded side holds whole), grouped into layout classes; parameters a strategy does not
 * list are copied whole from a source rank, as MindSpore does. Entries come in model order; `record-order.ts`
 * puts them in the order the file is written. Each layout is resolved once per parameter, not once per rank.
 */
export function stageRecipes(
  src: StrategySide,
  dst: StrategySide,
  params: readonly ParamToPlace[],
  stages: readonly number[]
): StageRecipe[] {
  const sourceCache = new ShardLayoutCache()
  const destinationCache = new ShardLayoutCache()
  const srcWhere = whereOf(src)
  const dstWhere = whereOf(dst)
  const recipes = stages.map((stage) => ({
    recipe: {
      stage,
      sourceStageDevices: src.stageDevices,
      entries: [] as RecipeEntry[],
      classes: [] as LayoutClass[]
    },
    classIds: new Map<string, number>()
  }))
  // One pass over the parameters for all stages, each in model order: a parameter's strategy entries are
  // looked up and its source layouts resolved once, not once per destination stage.
  params.forEach((param, model) => {
    const dstLayouts = dst.byName.get(param.name)
    const srcLayouts = src.byName.get(param.name)
    const ndim = param.fullShape.length
    let sources: { stage: number; layout: ResolvedLayout }[] | undefined
    const sourceLayouts = () =>
      (sources ??= src.set
        ? srcLayouts!.map((layout) => ({
            stage: layout.stage,
            layout: sourceCache.resolve(layout, ndim, { param: param.name, where: srcWhere })
          }))
        : [{ stage: 0, layout: replicated(ndim) }])
    for (const { recipe, classIds } of recipes) {
      const decision = decide(src, dst, dstLayouts, srcLayouts, recipe.stage)
      if (!decision) continue
      const base = { name: param.name, dtype: param.dtype ?? '', fullShape: param.fullShape, model }
      if ('copy' in decision) {
        recipe.entries.push({
          ...base,
          copy: decision.copy,
          ...storedShapes(src, param, srcLayouts, sourceLayouts)
        })
        continue
      }
      const destination = decision.destination
        ? destinationCache.resolve(decision.destination, ndim, { param: param.name, where: dstWhere })
        : replicated(ndim)
      const from = sourceLayouts()
      const key = `${destination.key}#${param.fullShape.join(',')}#${from.map((s) => `${s.stage}:${s.layout.key}`).join(';')}`
      let id = classIds.get(key)
      if (id === undefined) {
        id =
          recipe.classes.push({
            fullShape: param.fullShape,
            destination: destination.layout,
            sources: from.map((s) => ({ stage: s.stage, layout: s.layout.layout }))
          }) - 1
        classIds.set(key, id)
      }
      recipe.entries.push({ ...base, class: id })
    }
  })
  return recipes.map((r) => r.recipe)
}

function replicated(ndim: number): ResolvedLayout {
  const layout = replicatedLayout(ndim)
  return { layout, key: JSON.stringify(layout) }
}

/** What a destination stage does with a parameter: reshard it into a layout, copy it whole, or leave it out. */
function decide(
  src: StrategySide,
  dst: StrategySide,
  dstLayouts: readonly ParamLayout[] | undefined,
  srcLayouts: readonly ParamLayout[] | undefined,
  stage: number
): { destination: ParamLayout | undefined } | { copy: CopyReason } | undefined {
  if (dst.set) {
    if (dstLayouts) {
      const destination = dstLayouts.find((l) => l.stage === stage)
      if (!destination) return undefined
      if (src.set && !srcLayouts) return { copy: 'not-in-source-strategy' }
      return { destination }
    }
    // A pipelined destination gives no stage for it; a single-stage one gets the source rank's copy.
    if (srcLayouts) return dst.stageCount === 1 ? { copy: 'not-in-destination-strategy' } : undefined
    return { copy: 'not-in-any-strategy' }
  }
  if (srcLayouts || !src.set) return { destination: undefined }
  return { copy: 'not-in-any-strategy' }
}

/** A copied parameter the source strategy slices is stored as its stage's slice, not its full shape. */
function storedShapes(
  src: StrategySide,
  param: ParamToPlace,
  srcLayouts: readonly ParamLayout[] | undefined,
  sourceLayouts: () => { stage: number; layout: ResolvedLayout }[]
): { stored?: Record<number, number[]> } {
  if (!src.set || !srcLayouts) return {}
  const stored: Record<number, number[]> = {}
  for (const { stage, layout } of sourceLayouts())
    stored[stage] = new ShardGeometry(layout.layout, param.fullShape, param.name).localShape
  return { stored }
}
