import { intersectBoxes, type Box } from '../layout/box'
import { ShardGeometry } from '../layout/shard-geometry'
import { dtypeByName } from '../formats/dtypes'
import type { CopyEntry, RecipeEntry, ReshardEntry, StageRecipe } from './plan-types'
import { rankCount, type StrategySide } from './strategy-side'

export type { CopyReason } from './plan-types'

/** One source slice that contributes to a destination slice. */
export interface SourcePiece {
  /** Global source rank chosen among the replicas of the slice. */
  rank: number
  /** The source rank's stored slice, in full-tensor coordinates. */
  sourceBox: Box
  /** The part of it the destination needs (its intersection with the destination slice). */
  part: Box
}

/** A layout class at one destination local rank: its slice, and per source stage the pieces that fill it. */
export interface ClassAtRank {
  destinationBox: Box
  candidates: SourcePiece[][]
}

/**
 * The geometry of a stage recipe's layout classes, validated once, and their pieces at one destination local
 * rank. The overlapping source slices are found per dimension from the destination slice
 * (`ShardGeometry.slicesOverlapping`): the cost is the pieces, not the source stage's devices.
 */
export class RecipeLayouts {
  /** The recipe's entries grouped once per stage, so that each rank costs its classes, not its parameters. */
  readonly groups: RecipeGroups
  private readonly geometries: ({ destination: ShardGeometry; sources: ShardGeometry[] } | undefined)[]
  private last?: { local: number; place: (cls: number) => ClassAtRank }

  constructor(readonly recipe: StageRecipe) {
    this.geometries = new Array(recipe.classes.length)
    this.groups = groupsOf(recipe)
  }

  /**
   * The classes' pieces for destination local rank `local`, computed as asked and kept for this rank. Selection
   * and then the rank's outline (or RankPlan) ask for the same rank in turn: the last rank's pieces are reused.
   */
  at(local: number): (cls: number) => ClassAtRank {
    if (this.last?.local === local) return this.last.place
    const anchor = local % this.recipe.sourceStageDevices
    const known = new Map<number, ClassAtRank>()
    const place = (cls: number) => {
      let found = known.get(cls)
      if (!found) {
        found = this.place(cls, local, anchor)
        known.set(cls, found)
      }
      return found
    }
    this.last = { local, place }
    return place
  }

  private place(cls: number, local: number, anchor: number): ClassAtRank {
    const c = this.recipe.classes[cls]!
    const g = (this.geometries[cls] ??= {
      destination: new ShardGeometry(c.destination, c.fullShape),
      sources: c.sources.map((s) => new ShardGeometry(s.layout, c.fullShape))
    })
    const destinationBox = g.destination.boxOf(local)
    const candidates = c.sources.map(({ stage }, i) => {
      const geometry = g.sources[i]!
      return geometry.slicesOverlapping(destinationBox).map((slice): SourcePiece => {
        const rank = geometry.replicaNear(slice.rank, anchor)
        return {
          rank: stage * this.recipe.sourceStageDevices + rank,
          sourceBox: geometry.boxOf(rank),
          part: intersectBoxes(slice.box, destinationBox)!
        }
      })
    })
    return { destinationBox, candidates }
  }
}

export interface RankSelection {
  /** Every source rank read from, ascending; nothing else. */
  sourceRanks: number[]
  /** Per tied entry (in recipe order), the index of the class source chosen. */
  tied: number[]
  /** Per copy entry (in recipe order), the source rank. */
  copyRanks: number[]
}

/** A resharded parameter whose source strategy places it in several stages (a tied embedding). */
export const isTied = (recipe: StageRecipe, entry: RecipeEntry): boolean =>
  'class' in entry && recipe.classes[entry.class]!.sources.length > 1

/**
 * Decides, for one destination rank, where every parameter's bytes come from (spec §4.13): one replica of each
 * source slice that overlaps the destination slice, replicas chosen near the anchor `local mod source devices` so
 * one destination needs few source files and destinations spread over replicas. Parameters with one possible
 * source stage fix the rank set first (per layout class, not per parameter); tied parameters then join it where
 * they add fewest ranks; copies prefer a rank already read, as MindSpore copies from local rank `t mod N_src`.
 * `holds` says whether a source rank's file holds a parameter; strategies alone cannot tell, so by default yes.
 */
export function selectRank(
  layouts: RecipeLayouts,
  src: StrategySide,
  local: number,
  holds: (globalRank: number, name: string) => boolean = () => true
): RankSelection {
  const { single, tied: tiedEntries, copies } = layouts.groups
  const at = layouts.at(local)
  const anchor = local % src.stageDevices
  const chosen = new Set<number>()
  for (const cls of single.keys()) for (const piece of at(cls).candidates[0]!) chosen.add(piece.rank)

  const tied = new Array<number>(tiedEntries.length)
  for (const { entry, slot } of tiedEntries) {
    const candidates = at(entry.class).candidates
    let best = 0
    for (let i = 1; i < candidates.length; i++)
      if (newRanks(candidates[i]!, chosen) < newRanks(candidates[best]!, chosen)) best = i
    for (const piece of candidates[best]!) chosen.add(piece.rank)
    tied[slot] = best
  }

  const copyRanks = new Array<number>(copies.length)
  for (const { entry, slot } of copies) {
    const rank = copySource(src, entry.name, anchor, chosen, holds)
    chosen.add(rank)
    copyRanks[slot] = rank
  }
  return { sourceRanks: [...chosen].sort((a, b) => a - b), tied, copyRanks }
}

/** A stage recipe's entries as selection and outlines visit them. */
export interface RecipeGroups {
  /** Classes with one source stage, with the element bytes and count of their parameters (summed). */
  single: Map<number, { bytes: number; count: number }>
  /** Tied entries in model order, each with its slot (its position among tied entries in recipe order). */
  tied: { entry: ReshardEntry; slot: number }[]
  /** Copies in model order, each with its slot (its position among copies in recipe order). */
  copies: { entry: CopyEntry; slot: number }[]
}

function groupsOf(recipe: StageRecipe): RecipeGroups {
  const single = new Map<number, { bytes: number; count: number }>()
  const tied: RecipeGroups['tied'] = []
  const copies: RecipeGroups['copies'] = []
  for (const entry of recipe.entries) {
    if ('copy' in entry) copies.push({ entry, slot: copies.length })
    else if (isTied(recipe, entry)) tied.push({ entry, slot: tied.length })
    else {
      const sum = single.get(entry.class) ?? { bytes: 0, count: 0 }
      sum.bytes += dtypeByName(entry.dtype)?.bytes ?? 0
      sum.count++
      single.set(entry.class, sum)
    }
  }
  const byModel = (a: { entry: RecipeEntry }, b: { entry: RecipeEntry }) => a.entry.model - b.entry.model
  tied.sort(byModel)
  copies.sort(byModel)
  return { single, tied, copies }
}

function newRanks(pieces: SourcePiece[], chosen: Set<number>): number {
  const fresh = new Set<number>()
  for (const p of pieces) if (!chosen.has(p.rank)) fresh.add(p.rank)
  return fresh.size
}

/** MindSpore copies unlisted parameters from local rank `t mod N_src`; prefer a rank already being read. */
function copySource(
  src: StrategySide,
  name: string,
  anchor: number,
  chosen: Set<number>,
  holds: (globalRank: number, name: string) => boolean
): number {
  const stages =
    src.byName.get(name)?.map((l) => l.stage) ?? Array.from({ length: src.stageCount }, (_, s) => s)
  const anchors = stages.map((s) => s * src.stageDevices + anchor)
  const found =
    anchors.find((r) => chosen.has(r) && holds(r, name)) ??
    [...chosen].sort((a, b) => a - b).find((r) => holds(r, name)) ??
    anchors.find((r) => holds(r, name))
  if (found !== undefined) return found
  for (let r = 0; r < rankCount(src); r++) if (holds(r, name)) return r
  return anchors[0]!
}
