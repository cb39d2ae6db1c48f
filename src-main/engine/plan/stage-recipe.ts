import { ShardGeometry } from '../layout/shard-geometry'
import { replicatedLayout, toShardLayout, type ShardLayout } from '../layout/shard-layout'
import type { CopyReason, LayoutClass, RecipeEntry, StageRecipe } from './plan-types'
import { layoutInStage, whereOf, type StrategySide } from './strategy-side'

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
  const sourcesOf = new Map<string, LayoutClass['sources']>()
  const sourceLayouts = (param: ParamToPlace) => {
    let sources = sourcesOf.get(param.name)
    if (!sources) {
      const ndim = param.fullShape.length
      sources = src.set
        ? src.byName.get(param.name)!.map((layout) => ({
            stage: layout.stage,
            layout: toShardLayout(layout, ndim, { param: param.name, where: whereOf(src) })
          }))
        : [{ stage: 0, layout: replicatedLayout(ndim) }]
      sourcesOf.set(param.name, sources)
    }
    return sources
  }
  return stages.map((stage) => {
    const classes: LayoutClass[] = []
    const classIds = new Map<string, number>()
    const entries: RecipeEntry[] = []
    params.forEach((param, model) => {
      const base = { name: param.name, dtype: param.dtype ?? '', fullShape: param.fullShape, model }
      const decision = decide(src, dst, param.name, stage)
      if (!decision) return
      if ('copy' in decision) {
        entries.push({ ...base, copy: decision.copy, ...storedShapes(src, param, sourceLayouts) })
        return
      }
      const ndim = param.fullShape.length
      const destination = decision.destination
        ? toShardLayout(decision.destination, ndim, { param: param.name, where: whereOf(dst) })
        : replicatedLayout(ndim)
      const sources = sourceLayouts(param)
      const key = JSON.stringify([destination, param.fullShape, sources])
      let id = classIds.get(key)
      if (id === undefined) {
        id = classes.push({ fullShape: param.fullShape, destination, sources }) - 1
        classIds.set(key, id)
      }
      entries.push({ ...base, class: id })
    })
    return { stage, sourceStageDevices: src.stageDevices, entries, classes }
  })
}

/** What a destination stage does with a parameter: reshard it into a layout, copy it whole, or leave it out. */
function decide(
  src: StrategySide,
  dst: StrategySide,
  name: string,
  stage: number
): { destination: ReturnType<typeof layoutInStage> } | { copy: CopyReason } | undefined {
  const dstLayouts = dst.byName.get(name)
  const srcLayouts = src.byName.get(name)
  if (dst.set) {
    if (dstLayouts) {
      const destination = layoutInStage(dst, name, stage)
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
  sourceLayouts: (param: ParamToPlace) => { stage: number; layout: ShardLayout }[]
): { stored?: Record<number, number[]> } {
  if (!src.set || !src.byName.has(param.name)) return {}
  const stored: Record<number, number[]> = {}
  for (const { stage, layout } of sourceLayouts(param))
    stored[stage] = new ShardGeometry(layout, param.fullShape, param.name).localShape
  return { stored }
}
