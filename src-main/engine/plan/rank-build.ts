import { createHash } from 'node:crypto'
import { withCheckpoint } from '../formats/checkpoint-file'
import type { TensorEntry } from '../formats/tensor-entry'
import type { RankJob } from '../exec/execute-rank'
import { requireUnchanged } from '../exec/source-checks'
import type { RankOutline, RankPlan, StageRecipe } from './plan-types'
import { buildRankPlan } from './rank-plan'

/** A stage recipe as text: sent to workers as one string (copied, not cloned object by object) and hashed. */
export interface RecipeText {
  /** SHA-256 of `json`. */
  key: string
  json: string
}

/** What a worker needs to write one destination rank: its outline and its stage's recipe, not its RankPlan. */
export interface OutlinedRankJob extends Omit<RankJob, 'plan'> {
  outline: RankOutline
  recipe: RecipeText
}

const texts = new WeakMap<StageRecipe, RecipeText>()

export function recipeText(recipe: StageRecipe): RecipeText {
  let text = texts.get(recipe)
  if (!text) {
    const json = JSON.stringify(recipe)
    text = { key: createHash('sha256').update(json).digest('hex'), json }
    texts.set(recipe, text)
  }
  return text
}

/** A rank of a plan without the RankPlan an expanded plan also carries. */
export function outlineOf(rank: RankOutline & { params?: unknown }): RankOutline {
  if (!('params' in rank)) return rank
  const { params: _params, ...outline } = rank
  return outline
}

// A worker writes ranks of one or two stages in turn; their recipes are parsed once.
const parsed = new Map<string, StageRecipe>()
const KEEP_RECIPES = 4

/**
 * Turns an outlined job into the job `executeRank` runs: the rank's sources are checked to be the files planned
 * from, their headers indexed (only theirs), and the RankPlan built as planning would have built it.
 */
export async function rankJobFrom(job: OutlinedRankJob): Promise<RankJob> {
  let recipe = parsed.get(job.recipe.key)
  if (!recipe) {
    recipe = JSON.parse(job.recipe.json) as StageRecipe
    parsed.set(job.recipe.key, recipe)
    while (parsed.size > KEEP_RECIPES) parsed.delete(parsed.keys().next().value!)
  }
  const { outline, recipe: _text, ...rest } = job
  return { ...rest, plan: await rankPlanFrom(recipe, outline, job) }
}

async function rankPlanFrom(
  recipe: StageRecipe,
  outline: RankOutline,
  job: Pick<RankJob, 'open' | 'options'>
): Promise<RankPlan> {
  const tensors = new Map<number, Map<string, TensorEntry>>()
  for (const source of outline.sources) {
    await requireUnchanged(source, outline.rank)
    const entries = await withCheckpoint(source.path, job.open ?? {}, async (c) => c.tensors)
    tensors.set(source.rank, new Map(entries.map((t) => [t.name, t])))
  }
  return buildRankPlan(recipe, outline, (rank, name) => tensors.get(rank)?.get(name), job.options)
}
