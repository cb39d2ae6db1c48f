import { ShardscopeError } from '../errors'
import { piecesPerDimension } from '../layout/shard-layout'
import { ShardLayoutCache } from '../layout/shard-layout-cache'
import type { ParamLayout, StrategySet } from '../model/strategy-set'
import type { Problem } from './plan-types'
import { RecipeLayouts, selectRank } from './source-selection'
import { stageRecipes, type ParamToPlace } from './stage-recipe'
import { describeSide, rankCount, stageOfRank, whereOf, type StrategySide } from './strategy-side'

/**
 * The source ranks each destination rank needs, from the two strategies alone (MindSpore's
 * `rank_list_for_transform`). Without checkpoints the tensor shapes are unknown, so every parameter gets a
 * stand-in shape that all of its splits divide: which slices overlap does not depend on the real sizes.
 */
export function sourceRankLists(
  srcSet: StrategySet | undefined,
  dstSet: StrategySet | undefined,
  destinationRanks?: number[]
): Map<number, number[]> {
  const src = describeSide(srcSet, 'source strategy')
  const dst = describeSide(dstSet, 'destination strategy')
  checkRankCount(dst)
  const count = rankCount(dst)
  const beyond = destinationRanks?.find((r) => r >= count)
  if (beyond !== undefined)
    throw new ShardscopeError('BAD_INPUT', destinationRankProblem(beyond, count).message)
  const params = standInParams(src, dst)
  const ranks = destinationRanks ?? Array.from({ length: count }, (_, r) => r)
  const stages = [...new Set(ranks.map((r) => stageOfRank(dst, r).stage))]
  const layouts = new Map(
    stageRecipes(src, dst, params, stages).map((recipe) => [recipe.stage, new RecipeLayouts(recipe)])
  )
  const lists = new Map<number, number[]>()
  for (const rank of ranks) {
    const { stage, local } = stageOfRank(dst, rank)
    const selection = selectRank(layouts.get(stage)!, src, local)
    const anchor = local % src.stageDevices
    // Entries no strategy lists (global_step, learning rate ...) come from the anchor rank, as in MindSpore.
    lists.set(rank, selection.sourceRanks.length > 0 ? selection.sourceRanks : [anchor])
  }
  return lists
}

// A plan holds one entry per destination rank; a strategy claiming more devices than this is not a real cluster.
const MAX_DESTINATION_RANKS = 1 << 20

/** Refuses a destination strategy whose device count cannot be planned rank by rank. */
export function checkRankCount(dst: StrategySide): void {
  const count = rankCount(dst)
  if (count > MAX_DESTINATION_RANKS)
    throw new ShardscopeError(
      'INVALID_STRATEGY',
      `The ${whereOf(dst)} describes ${count} destination ranks (${dst.stageCount} stage${dst.stageCount === 1 ? '' : 's'} of ${dst.stageDevices} devices); Shardscope plans at most ${MAX_DESTINATION_RANKS}.`
    )
}

/** "Destination rank 5 does not exist: the destination has 4 ranks, 0 to 3." */
export function destinationRankProblem(rank: number, count: number): Problem {
  const ranks = count === 1 ? '1 rank, 0' : `${count} ranks, 0 to ${count - 1}`
  return {
    severity: 'error',
    code: 'rank-out-of-range',
    message: `Destination rank ${rank} does not exist: the destination has ${ranks}.`,
    rank
  }
}

function standInParams(src: StrategySide, dst: StrategySide): ParamToPlace[] {
  const names = new Set([...dst.byName.keys(), ...src.byName.keys()])
  const caches = new Map(
    [src, dst].map((side) => [side, { cache: new ShardLayoutCache(), where: whereOf(side) }])
  )
  return [...names].map((name) => {
    const layouts: [ParamLayout, StrategySide][] = [
      ...(src.byName.get(name) ?? []).map((l) => [l, src] as [ParamLayout, StrategySide]),
      ...(dst.byName.get(name) ?? []).map((l) => [l, dst] as [ParamLayout, StrategySide])
    ]
    const ndim = layouts[0]![0].tensorMap.length
    const fullShape = new Array<number>(ndim).fill(1)
    for (const [layout, side] of layouts) {
      const { cache, where } = caches.get(side)!
      const shard = cache.resolve(layout, ndim, { param: name, where }).layout
      piecesPerDimension(shard).forEach((pieces, i) => (fullShape[i]! *= pieces))
    }
    return { name, fullShape }
  })
}
