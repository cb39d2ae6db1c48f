import { ShardscopeError } from '../errors'
import { dtypeByName } from '../formats/dtypes'
import { elementCount } from '../formats/tensor-entry'
import { boxVolume } from '../layout/box'
import { outputDtype } from './output-dtype'
import { copyExpectation } from './output-size'
import type { RankOutline, RecipeEntry, StageRecipe, TransformPlan } from './plan-types'
import { isTied, RecipeLayouts } from './source-selection'

/** One parameter of one destination rank, for a preview: where its slice lies and the source blocks filling it. */
export interface ParamDetail {
  name: string
  action: 'reshard' | 'copy'
  dtype: string
  outDtype: string
  fullShape: number[]
  /** The destination rank's block in the full tensor. */
  offset: number[]
  shape: number[]
  /** Source blocks, in full-tensor coordinates. */
  pieces: { sourceRank: number; offset: number[]; extent: number[]; bytes: number }[]
}

interface IndexedRecipe {
  layouts: RecipeLayouts
  /** Per name: the entry and its slot among the stage's tied entries or copies. */
  byName: Map<string, { entry: RecipeEntry; slot: number }>
}

const recipes = new WeakMap<StageRecipe, IndexedRecipe>()

/**
 * Works out one parameter of one rank from the plan alone (its stage recipe and the rank's choices), without
 * the source files: what the planner preview shows, at the cost of that parameter, whatever the plan's size.
 */
export function paramDetail(plan: TransformPlan, rank: number, name: string): ParamDetail {
  const outline = plan.ranks.find((r) => r.rank === rank)
  const recipe = outline && plan.stages[outline.stage]
  const found = recipe && indexed(recipe).byName.get(name)
  if (!outline || !recipe || !found)
    throw new ShardscopeError('BAD_INPUT', `Destination rank ${rank} of this plan has no parameter ${name}.`)
  const { entry, slot } = found
  const options = plan.options
  if ('copy' in entry) {
    const source = outline.copyRanks[slot]!
    const stored = outline.copyEntries?.[slot] ?? copyExpectation(entry, source, recipe.sourceStageDevices)!
    const zeros = stored.shape.map(() => 0)
    return {
      name,
      action: 'copy',
      dtype: stored.dtype,
      outDtype: outputDtype(stored.dtype, options.dtype),
      fullShape: stored.shape,
      offset: zeros,
      shape: stored.shape,
      pieces: [
        {
          sourceRank: source,
          offset: zeros,
          extent: stored.shape,
          bytes: elementCount(stored.shape) * dtypeByName(stored.dtype)!.bytes
        }
      ]
    }
  }
  const { destinationBox, candidates } = indexed(recipe).layouts.at(outline.local)(entry.class)
  const choice = isTied(recipe, entry) ? tiedChoice(recipe, entry.class, outline, slot) : 0
  const bytes = dtypeByName(entry.dtype)!.bytes
  return {
    name,
    action: 'reshard',
    dtype: entry.dtype,
    outDtype: outputDtype(entry.dtype, options.dtype),
    fullShape: entry.fullShape,
    offset: destinationBox.offset,
    shape: destinationBox.extent,
    pieces: candidates[choice]!.map((piece) => ({
      sourceRank: piece.rank,
      offset: piece.part.offset,
      extent: piece.part.extent,
      bytes: boxVolume(piece.part) * bytes
    }))
  }
}

function tiedChoice(recipe: StageRecipe, cls: number, outline: RankOutline, slot: number): number {
  return recipe.classes[cls]!.sources.findIndex((s) => s.stage === outline.tiedStages[slot])
}

function indexed(recipe: StageRecipe): IndexedRecipe {
  let found = recipes.get(recipe)
  if (!found) {
    const byName = new Map<string, { entry: RecipeEntry; slot: number }>()
    let tied = 0
    let copies = 0
    for (const entry of recipe.entries) {
      const slot = 'copy' in entry ? copies++ : isTied(recipe, entry) ? tied++ : -1
      byName.set(entry.name, { entry, slot })
    }
    found = { layouts: new RecipeLayouts(recipe), byName }
    recipes.set(recipe, found)
  }
  return found
}
