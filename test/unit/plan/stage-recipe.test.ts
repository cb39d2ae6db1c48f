import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ShardGeometry } from '../../../src-main/engine/layout/shard-geometry'
import { replicatedLayout, toShardLayout } from '../../../src-main/engine/layout/shard-layout'
import type { ParamLayout, TensorMapEntry } from '../../../src-main/engine/model/strategy-set'
import type { LayoutClass, RecipeEntry, StageRecipe } from '../../../src-main/engine/plan/plan-types'
import { stageRecipes, type ParamToPlace } from '../../../src-main/engine/plan/stage-recipe'
import {
  describeSide,
  layoutInStage,
  whereOf,
  type StrategySide
} from '../../../src-main/engine/plan/strategy-side'
import { paramLayout, strategyOf } from '../../helpers/strategy-builders'

/**
 * The recipes as planning built them before layouts were resolved once per distinct layout: stage by stage,
 * every parameter's layouts resolved anew and its class found by the JSON of (destination, shape, sources).
 * The faster stageRecipes must give exactly these, class numbers included (workers rebuild plans from them).
 */
function referenceRecipes(
  src: StrategySide,
  dst: StrategySide,
  params: readonly ParamToPlace[],
  stages: readonly number[]
): StageRecipe[] {
  return stages.map((stage) => {
    const classes: LayoutClass[] = []
    const ids = new Map<string, number>()
    const entries: RecipeEntry[] = []
    params.forEach((param, model) => {
      const ndim = param.fullShape.length
      const base = { name: param.name, dtype: param.dtype ?? '', fullShape: param.fullShape, model }
      const sources = src.set
        ? src.byName.get(param.name)?.map((l) => ({
            stage: l.stage,
            layout: toShardLayout(l, ndim, { param: param.name, where: whereOf(src) })
          }))
        : [{ stage: 0, layout: replicatedLayout(ndim) }]
      const copy = (
        reason: 'not-in-source-strategy' | 'not-in-destination-strategy' | 'not-in-any-strategy'
      ) => {
        const stored: Record<number, number[]> = {}
        for (const s of sources ?? [])
          stored[s.stage] = new ShardGeometry(s.layout, param.fullShape).localShape
        entries.push({ ...base, copy: reason, ...(src.set && sources ? { stored } : {}) })
      }
      let destination: ParamLayout | undefined
      if (dst.set) {
        if (dst.byName.has(param.name)) {
          destination = layoutInStage(dst, param.name, stage)
          if (!destination) return
          if (src.set && !sources) return copy('not-in-source-strategy')
        } else if (sources && src.set) {
          if (dst.stageCount === 1) copy('not-in-destination-strategy')
          return
        } else return copy('not-in-any-strategy')
      } else if (src.set && !sources) return copy('not-in-any-strategy')
      const layout = destination
        ? toShardLayout(destination, ndim, { param: param.name, where: whereOf(dst) })
        : replicatedLayout(ndim)
      const key = JSON.stringify([layout, param.fullShape, sources])
      let id = ids.get(key)
      if (id === undefined) {
        id = classes.push({ fullShape: param.fullShape, destination: layout, sources: sources! }) - 1
        ids.set(key, id)
      }
      entries.push({ ...base, class: id })
    })
    return { stage, sourceStageDevices: src.stageDevices, entries, classes }
  })
}

// Device matrices of 8 devices each, so every layout of a side agrees on the stage's device count.
const MATRICES = [[8], [2, 4], [4, 2], [2, 2, 2]]
const SIZE = 64

/** A valid layout (or none) of an `ndim` tensor on one side, in flat or nested form, maybe optimizer-sharded. */
const layoutArb = (ndim: number) =>
  fc
    .record({
      matrix: fc.constantFrom(...MATRICES),
      picks: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: ndim, maxLength: ndim }),
      nested: fc.boolean(),
      opt: fc.constantFrom(0, -1, 2)
    })
    .map(({ matrix, picks, nested, opt }) => {
      const used = new Set<number>()
      const map = picks.map((v) => (v >= matrix.length || used.has(v) ? -1 : (used.add(v), v)))
      const tensorMap: TensorMapEntry[] = nested ? map.map((v) => (v === -1 ? [] : [v])) : map
      return { devMatrix: matrix, tensorMap, optShardSize: opt }
    })

const paramArb = fc.integer({ min: 1, max: 3 }).chain((ndim) =>
  fc.record({
    ndim: fc.constant(ndim),
    dtype: fc.constantFrom('Float32', 'BFloat16'),
    src: fc.array(fc.record({ stage: fc.integer({ min: 0, max: 1 }), layout: layoutArb(ndim) }), {
      maxLength: 2
    }),
    dst: fc.array(fc.record({ stage: fc.integer({ min: 0, max: 1 }), layout: layoutArb(ndim) }), {
      maxLength: 2
    })
  })
)

type Drawn = {
  stage: number
  layout: { devMatrix: number[]; tensorMap: TensorMapEntry[]; optShardSize: number }
}

/** One layout per stage, keeping only those toShardLayout accepts (the catalog would have refused the others). */
function layoutsOf(name: string, ndim: number, drawn: Drawn[]): ParamLayout[] {
  const byStage = new Map<number, ParamLayout>()
  for (const { stage, layout } of drawn) {
    const l = paramLayout(layout.devMatrix, layout.tensorMap, {
      name,
      stage,
      tensorMapForm: layout.tensorMap.some(Array.isArray) ? 'nested' : 'flat',
      optShardSize: layout.optShardSize
    })
    try {
      toShardLayout(l, ndim, { param: name, where: 'test' })
      new ShardGeometry(toShardLayout(l, ndim, { param: name, where: 'test' }), new Array(ndim).fill(SIZE))
      if (!byStage.has(stage)) byStage.set(stage, l)
    } catch {
      // not a layout a plan could reach stageRecipes with
    }
  }
  return [...byStage.values()]
}

const sideOf = (layouts: ParamLayout[], label: StrategySide['label'], stages: number) => {
  // Every stage must hold something; a filler parameter no model lists keeps stage numbering whole.
  const filler = Array.from({ length: stages }, (_, stage) =>
    paramLayout([8], [-1], { name: `filler.${label}`, stage })
  )
  return describeSide(strategyOf([...layouts, ...filler]), label)
}

describe('stageRecipes', () => {
  it('on random layouts: the same recipes, class numbers included, as resolving every parameter anew', () => {
    fc.assert(
      fc.property(
        fc.array(paramArb, { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        (drawn, srcStages, dstStages) => {
          const params: ParamToPlace[] = drawn.map((p, i) => ({
            name: `p${i}`,
            dtype: p.dtype,
            fullShape: new Array<number>(p.ndim).fill(SIZE)
          }))
          const within = (stages: number) => (d: Drawn) => d.stage < stages
          const src = sideOf(
            drawn.flatMap((p, i) => layoutsOf(`p${i}`, p.ndim, p.src.filter(within(srcStages)))),
            'source strategy',
            srcStages
          )
          const dst = sideOf(
            drawn.flatMap((p, i) => layoutsOf(`p${i}`, p.ndim, p.dst.filter(within(dstStages)))),
            'destination strategy',
            dstStages
          )
          const stages = Array.from({ length: dstStages }, (_, s) => s)
          expect(JSON.stringify(stageRecipes(src, dst, params, stages))).toBe(
            JSON.stringify(referenceRecipes(src, dst, params, stages))
          )
          // Without strategies (an unsharded source or destination) the recipes agree too.
          const none = describeSide(undefined, 'destination strategy')
          expect(JSON.stringify(stageRecipes(src, none, params, [0]))).toBe(
            JSON.stringify(referenceRecipes(src, none, params, [0]))
          )
        }
      ),
      { numRuns: 300, seed: 20261202 }
    )
  })
})
