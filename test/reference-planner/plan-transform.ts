// The planner as it was before the scaling rewrite (commit ac6a9ec), kept as the reference the rewrite is
// property-tested against (test/integration/planner-reference.test.ts). Only the destination-folder checks are
// left out: they are not part of what the planner computes per rank. Not shipped; do not extend.
import { createHash } from 'node:crypto'
import { realpath } from 'node:fs/promises'
import { ShardscopeError } from '../../src-main/engine/errors'
import type { CheckpointOpenOptions } from '../../src-main/engine/formats/checkpoint-file'
import { encodeStrategyProtobuf } from '../../src-main/engine/formats/strategy/strategy-protobuf'
import { scanCheckpointFolder } from '../../src-main/engine/model/checkpoint-set'
import type { StrategySet } from '../../src-main/engine/model/strategy-set'
import { conversionIdentity } from '../../src-main/engine/plan/conversion-identity'
import { compileExclude, matchExcluded } from '../../src-main/engine/plan/exclude-filter'
import { mindsporeDifferences } from '../../src-main/engine/plan/mindspore-differences'
import { buildParamCatalog } from './param-catalog'
import { reportCopies, reportMissingSources, reportUnplaced } from './plan-reports'
import type { PlanOptions, Problem, RankPlan, TransformPlan } from './plan-types'
import { rankPlan } from './rank-plan'
import { checkRankCount, destinationRankProblem, sourceRankLists } from './rank-lists'
import { mindsporeRecordOrder } from './record-order'
import { indexSourceRanks } from './source-index'
import { selectSources, type CopyReason } from './source-selection'
import { describeSide, rankCount } from '../../src-main/engine/plan/strategy-side'

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
  /** Replace a previous conversion in the destination: its outputs are deleted before the run writes. */
  overwrite?: boolean
  /** Check the CRC-32 of every source file that has one, also of files the run does not read whole. */
  verifyCrc?: boolean
}

/**
 * Plans a conversion: which source bytes every destination rank needs and where they land, with every problem
 * found before any byte moves (all of them, not the first). A plan with error problems must not be executed.
 */
export async function planTransform(input: PlanInput): Promise<TransformPlan> {
  const problems: Problem[] = []
  const src = describeSide(input.sourceStrategy, 'source strategy')
  const dst = describeSide(input.destinationStrategy, 'destination strategy')
  checkRankCount(dst)
  const destinationRanks = chooseDestinationRanks(input.ranks, rankCount(dst), problems)
  compileExclude(input.options.exclude)

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
  const names = [...new Set([...indexed.values()].flatMap((r) => [...r.tensors.keys()]))]
  // Excluded parameters leave the plan before anything is checked, their problems with them.
  const excludedNames = matchExcluded(input.options.exclude, names)
  const catalog = buildParamCatalog(src, dst, indexed, problems, (name) => excludedNames.has(name))
  const modelOrder = catalog.map((p) => p.name)

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
    if (selection.sourceRanks.every((r) => indexed.has(r))) {
      const params = mindsporeRecordOrder(selection.params, selection.stage, src, dst, indexed, modelOrder)
      ranks.push(rankPlan({ ...selection, params }, catalog, indexed, input.options, input.verifyCrc))
    }
  }
  reportMissingSources(
    missing,
    folder.ranks.map((r) => r.rank),
    input.sourceFolder,
    problems
  )
  reportCopies(copied, src, dst, problems)
  reportUnplaced(dst, indexed, problems, excludedNames)
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
    problems,
    excluded: names.filter((n) => excludedNames.has(n))
  }
  return plan
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
