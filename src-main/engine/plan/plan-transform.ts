import { createHash } from 'node:crypto'
import { ShardscopeError } from '../errors'
import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import { encodeStrategyProtobuf } from '../formats/strategy/strategy-protobuf'
import { scanCheckpointFolder } from '../model/checkpoint-set'
import type { StrategySet } from '../model/strategy-set'
import { checkDestinationFolder } from './destination-check'
import { mindsporeDifferences } from './mindspore-differences'
import { buildParamCatalog } from './param-catalog'
import { reportCopies, reportMissingSources, reportUnplaced } from './plan-reports'
import type { PlanOptions, Problem, RankPlan, TransformPlan } from './plan-types'
import { rankPlan } from './rank-plan'
import { sourceRankLists } from './rank-lists'
import { indexSourceRanks } from './source-index'
import { selectSources, type CopyReason } from './source-selection'
import { describeSide, rankCount } from './strategy-side'

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
  /** Whether to check that the destination folder can be written (not for a preview without one). */
  checkDestination?: boolean
}

/**
 * Plans a conversion: which source bytes every destination rank needs and where they land, with every problem
 * found before any byte moves (all of them, not the first). A plan with error problems must not be executed.
 */
export async function planTransform(input: PlanInput): Promise<TransformPlan> {
  const problems: Problem[] = []
  const src = describeSide(input.sourceStrategy, 'source strategy')
  const dst = describeSide(input.destinationStrategy, 'destination strategy')
  const destinationRanks = chooseDestinationRanks(input.ranks, rankCount(dst), problems)
  const exclude = compileExclude(input.options.exclude)

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
  const indexed = await indexSourceRanks(
    folder,
    wanted ?? folder.ranks.map((r) => r.rank),
    input.open ?? {},
    problems
  )
  const catalog = buildParamCatalog(src, dst, indexed, problems).filter((p) => !exclude?.test(p.name))
  const excluded = exclude
    ? [...new Set([...indexed.values()].flatMap((r) => [...r.tensors.keys()]))].filter((n) => exclude.test(n))
    : []

  const holds = (rank: number, name: string) => indexed.get(rank)?.tensors.has(name) ?? false
  const ranks: RankPlan[] = []
  const missing = new Map<number, number[]>()
  const copied = new Map<CopyReason, Set<string>>()
  for (const rank of destinationRanks) {
    const selection = selectSources(src, dst, rank, catalog, { holds })
    for (const r of selection.sourceRanks)
      if (!indexed.has(r)) missing.set(r, [...(missing.get(r) ?? []), rank])
    for (const p of selection.params)
      if (p.action === 'copy') copied.set(p.reason, (copied.get(p.reason) ?? new Set()).add(p.name))
    if (selection.sourceRanks.every((r) => indexed.has(r)))
      ranks.push(rankPlan(selection, catalog, indexed, input.options))
  }
  reportMissingSources(
    missing,
    folder.ranks.map((r) => r.rank),
    input.sourceFolder,
    problems
  )
  reportCopies(copied, src, dst, problems)
  reportUnplaced(dst, indexed, problems)
  mindsporeDifferences(src, dst, new Map(catalog.map((p) => [p.name, p.dtype])), problems)
  if (catalog.length === 0 && problems.every((p) => p.severity !== 'error')) {
    problems.push({
      severity: 'error',
      message: `${input.sourceFolder} holds no parameters to convert.`,
      file: input.sourceFolder
    })
  }
  return {
    version: 1,
    source: {
      folder: input.sourceFolder,
      strategy: src.set?.sources,
      ...(src.set ? { strategyHash: strategyHash(src.set) } : {}),
      stageDevices: src.stageDevices,
      stageCount: src.stageCount
    },
    destination: {
      folder: input.destinationFolder,
      strategy: dst.set?.sources,
      ...(dst.set ? { strategyHash: strategyHash(dst.set) } : {}),
      stageDevices: dst.stageDevices,
      stageCount: dst.stageCount,
      rankCount: rankCount(dst)
    },
    options: input.options,
    ranks,
    problems,
    excluded
  }
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
    else if (rank >= count) {
      problems.push({
        severity: 'error',
        message: `Destination rank ${rank} does not exist: the destination has ranks 0 to ${count - 1}.`,
        rank
      })
    }
    seen.add(rank)
  }
  return [...seen].filter((r) => r < count).sort((a, b) => a - b)
}

function compileExclude(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined
  try {
    return new RegExp(pattern)
  } catch (err) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `--exclude is not a valid regular expression: ${(err as Error).message}.`
    )
  }
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
