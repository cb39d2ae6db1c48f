import { createHash } from 'node:crypto'
import { realpath } from 'node:fs/promises'
import { ShardscopeError } from '../errors'
import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import { encodeStrategyProtobuf } from '../formats/strategy/strategy-protobuf'
import { scanCheckpointFolder } from '../model/checkpoint-set'
import type { StrategySet } from '../model/strategy-set'
import { inspectDestination } from '../exec/destination-state'
import { conversionIdentity } from './conversion-identity'
import { checkDestinationAliasing } from './destination-aliasing'
import { checkDestinationFolder } from './destination-check'
import { compileExclude, matchExcluded } from './exclude-filter'
import { mindsporeDifferences } from './mindspore-differences'
import { indexSourceRanks, type IndexingOptions } from './index-ranks'
import { OutputSizes } from './output-size'
import { buildParamCatalog } from './param-catalog'
import { reportCopies, reportMissingSources, reportUnplaced } from './plan-reports'
import type {
  CopyReason,
  ExpandedPlan,
  PlanOptions,
  Problem,
  RankOutline,
  StageRecipe,
  TransformPlan
} from './plan-types'
import { buildRankPlan, type TensorLookup } from './rank-plan'
import { checkRankCount, destinationRankProblem, sourceRankLists } from './rank-lists'
import { rankOutline } from './rank-outline'
import { mindsporeRecordOrder } from './record-order'
import type { SourceIndex } from './source-index'
import { RecipeLayouts, selectRank } from './source-selection'
import { stageRecipes } from './stage-recipe'
import { describeSide, rankCount, stageOfRank } from './strategy-side'

export interface PlanInput {
  sourceFolder: string
  destinationFolder: string
  /** No source strategy: the source is one unsharded checkpoint (rank_0). */
  sourceStrategy?: StrategySet
  /** No destination strategy: merge into one full checkpoint. */
  destinationStrategy?: StrategySet
  /** Destination ranks to produce; all by default. Only their source ranks need to exist. */
  ranks?: number[]
  options: PlanOptions
  open?: CheckpointOpenOptions
  /** Whether to check the destination folder: writable, not the source, empty or ours (not for a preview). */
  checkDestination?: boolean
  /** Replace a previous conversion in the destination: its outputs are deleted before the run writes. */
  overwrite?: boolean
  /** Check the CRC-32 of every source file that has one, also of files the run does not read whole. */
  verifyCrc?: boolean
  /** How the source folder is indexed (threads). */
  indexing?: IndexingOptions
}

/**
 * Plans a conversion: which source bytes every destination rank needs and where they land, with every problem
 * found before any byte moves (all of them, not the first). A plan with error problems must not be executed.
 * The plan keeps per destination rank its sources, totals and choices, and per destination stage a recipe;
 * each rank's full RankPlan is built from them where it runs (`buildRankPlan`).
 */
export async function planConversion(input: PlanInput): Promise<TransformPlan> {
  return (await planWithIndex(input)).plan
}

/**
 * The same plan with every destination rank's RankPlan built too, from the folder index planning made: for
 * small conversions, previews of a few ranks and tests. Large plans should use `planConversion`.
 */
export async function planTransform(input: PlanInput): Promise<ExpandedPlan> {
  const { plan, index } = await planWithIndex(input)
  const lookup: TensorLookup = (rank, name) => {
    const id = index.nameId(name)
    return id === undefined ? undefined : index.entry(rank, id)
  }
  const layouts = new Map<number, RecipeLayouts>()
  const ranks = plan.ranks.map((outline) => {
    const recipe = plan.stages[outline.stage]!
    if (!layouts.has(outline.stage)) layouts.set(outline.stage, new RecipeLayouts(recipe))
    const built = buildRankPlan(recipe, outline, lookup, plan.options, layouts.get(outline.stage))
    return { ...outline, params: built.params }
  })
  return { ...plan, ranks }
}

async function planWithIndex(input: PlanInput): Promise<{ plan: TransformPlan; index: SourceIndex }> {
  const problems: Problem[] = []
  const src = describeSide(input.sourceStrategy, 'source strategy')
  const dst = describeSide(input.destinationStrategy, 'destination strategy')
  checkRankCount(dst)
  const destinationRanks = chooseDestinationRanks(input.ranks, rankCount(dst), problems)
  compileExclude(input.options.exclude)

  if (input.checkDestination !== false) await checkDestinationFolder(input.destinationFolder, problems)
  const folder = await scanCheckpointFolder(input.sourceFolder)
  // Absent ranks matter only if a destination needs them, which reportMissingSources says precisely.
  for (const { message } of folder.problems)
    problems.push({ severity: 'warning', message, file: input.sourceFolder })
  if (folder.format === 'mixed') {
    problems.push({
      severity: 'error',
      message: `${input.sourceFolder} mixes .ckpt and .safetensors rank files; convert one kind at a time.`,
      file: input.sourceFolder
    })
  }

  // With a subset of destination ranks, only their source ranks need to exist (and get indexed).
  const wanted = input.ranks ? neededByStrategies(input, destinationRanks) : undefined
  const index = await indexSourceRanks(
    folder,
    wanted ?? folder.ranks.map((r) => r.rank),
    input.open ?? {},
    problems,
    input.indexing
  )
  // Excluded parameters leave the plan before anything is checked, their problems with them.
  const excludedNames = matchExcluded(input.options.exclude, index.names)
  const catalog = buildParamCatalog(src, dst, index, problems, (name) => excludedNames.has(name))
  const modelOrder = catalog.map((p) => p.name)

  const holds = (rank: number, name: string) => index.holds(rank, index.nameId(name)!)
  const stageList = [...new Set(destinationRanks.map((r) => stageOfRank(dst, r).stage))]
  const stages: (StageRecipe | null)[] = Array.from({ length: dst.stageCount }, () => null)
  for (const recipe of stageRecipes(src, dst, catalog, stageList))
    stages[recipe.stage] = {
      ...recipe,
      entries: mindsporeRecordOrder(recipe.entries, recipe.stage, src, dst, index, modelOrder)
    }
  const copied = new Map<CopyReason, Set<string>>()
  for (const stage of stageList)
    for (const entry of [...stages[stage]!.entries].sort((a, b) => a.model - b.model))
      if ('copy' in entry) copied.set(entry.copy, (copied.get(entry.copy) ?? new Set()).add(entry.name))

  const layouts = new Map(stageList.map((s) => [s, new RecipeLayouts(stages[s]!)]))
  const sizes = new OutputSizes(input.options)
  const ranks: RankOutline[] = []
  const missing = new Map<number, number[]>()
  for (const rank of destinationRanks) {
    const { stage, local } = stageOfRank(dst, rank)
    const selection = selectRank(layouts.get(stage)!, src, local, holds)
    for (const r of selection.sourceRanks)
      if (!index.has(r)) missing.set(r, [...(missing.get(r) ?? []), rank])
    if (selection.sourceRanks.every((r) => index.has(r)))
      ranks.push(
        rankOutline(
          { rank, stage, local },
          layouts.get(stage)!,
          selection,
          index,
          sizes,
          input.options,
          input.verifyCrc === true
        )
      )
  }
  reportMissingSources(
    missing,
    folder.ranks.map((r) => r.rank),
    input.sourceFolder,
    problems
  )
  reportCopies(copied, src, dst, problems)
  reportUnplaced(dst, index, problems, excludedNames)
  mindsporeDifferences(src, dst, new Map(catalog.map((p) => [p.name, p.dtype])), problems)
  if (catalog.length === 0 && problems.every((p) => p.severity !== 'error')) {
    problems.push({
      severity: 'error',
      message: `${input.sourceFolder} holds no parameters to convert.`,
      file: input.sourceFolder
    })
  }
  const sourceStrategyHash = src.set ? strategyHash(src.set) : undefined
  const destinationStrategyHash = dst.set ? strategyHash(dst.set) : undefined
  const realFolder = await realpath(input.sourceFolder).catch(() => input.sourceFolder)
  const plan: TransformPlan = {
    version: 2,
    conversion: conversionIdentity({
      sourceStrategyHash,
      destinationStrategyHash,
      options: input.options,
      destinationRanks: rankCount(dst),
      files: folder.ranks
    }),
    source: {
      folder: input.sourceFolder,
      ...(realFolder !== input.sourceFolder ? { realFolder } : {}),
      strategy: src.set?.sources,
      ...(sourceStrategyHash ? { strategyHash: sourceStrategyHash } : {}),
      stageDevices: src.stageDevices,
      stageCount: src.stageCount
    },
    destination: {
      folder: input.destinationFolder,
      strategy: dst.set?.sources,
      ...(destinationStrategyHash ? { strategyHash: destinationStrategyHash } : {}),
      stageDevices: dst.stageDevices,
      stageCount: dst.stageCount,
      rankCount: rankCount(dst),
      overwrite: input.overwrite === true
    },
    options: input.options,
    ranks,
    stages,
    problems,
    excluded: index.names.filter((n) => excludedNames.has(n))
  }
  if (input.checkDestination !== false) await checkDestinationContents(plan)
  return { plan, index }
}

/** The destination must not alias the source, and must be empty, this conversion's, or replaceable. */
async function checkDestinationContents(plan: TransformPlan): Promise<void> {
  const aliasing: Problem[] = []
  await checkDestinationAliasing(plan.source.folder, plan.destination.folder, plan.ranks, aliasing)
  plan.problems.push(...aliasing)
  // Listing a destination that is the source would only repeat the same refusal, file by file.
  if (aliasing.length > 0) return
  const inspection = await inspectDestination(plan)
  plan.destination.state = inspection.state
  plan.problems.push(...inspection.problems)
}

function chooseDestinationRanks(
  requested: number[] | undefined,
  count: number,
  problems: Problem[]
): number[] {
  if (!requested) return Array.from({ length: count }, (_, r) => r)
  const seen = new Set<number>()
  for (const rank of requested) {
    if (seen.has(rank))
      problems.push({ severity: 'error', message: `Destination rank ${rank} is given more than once.`, rank })
    else if (rank >= count) problems.push(destinationRankProblem(rank, count))
    seen.add(rank)
  }
  return [...seen].filter((r) => r < count).sort((a, b) => a - b)
}

function neededByStrategies(input: PlanInput, ranks: number[]): number[] | undefined {
  try {
    return [
      ...new Set([...sourceRankLists(input.sourceStrategy, input.destinationStrategy, ranks).values()].flat())
    ]
  } catch (err) {
    // A layout error shows up again, per parameter, when the catalog checks it; index everything meanwhile.
    if (!(err instanceof ShardscopeError)) throw err
    return undefined
  }
}

/** A strategy's identity for the manifest: what it says, not where it was read from. */
function strategyHash(set: StrategySet): string {
  return createHash('sha256').update(encodeStrategyProtobuf(set)).digest('hex')
}
