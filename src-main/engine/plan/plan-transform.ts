import { ShardscopeError } from '../errors'
import type { CheckpointOpenOptions } from '../formats/checkpoint-file'
import { ckptFileSize, dimsForShape } from '../formats/ckpt/ckpt-writer'
import { dtypeByName } from '../formats/dtypes'
import { planSafetensorsLayout } from '../formats/safetensors/safetensors-writer'
import { elementCount } from '../formats/tensor-entry'
import { boxVolume } from '../layout/box'
import { scanCheckpointFolder } from '../model/checkpoint-set'
import type { StrategySet } from '../model/strategy-set'
import { READ_BUFFER_BYTES, SLAB_BYTES } from '../exec/limits'
import { contiguousRuns } from './byte-runs'
import { checkDestinationFolder } from './destination-check'
import { mindsporeDifferences } from './mindspore-differences'
import { outputDtype } from './output-dtype'
import { buildParamCatalog, listNames, type CatalogParam } from './param-catalog'
import type {
  ParamPlan,
  PlanOptions,
  Problem,
  RankPlan,
  SourceFileRef,
  TensorRead,
  TransformPlan
} from './plan-types'
import { sourceRankLists } from './rank-lists'
import { indexSourceRanks, type IndexedRank } from './source-index'
import { selectSources, type CopyReason, type DestinationSelection } from './source-selection'
import { describeSide, rankCount, whereOf, type StrategySide } from './strategy-side'

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
  for (const message of folder.problems)
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
      stageDevices: src.stageDevices,
      stageCount: src.stageCount
    },
    destination: {
      folder: input.destinationFolder,
      strategy: dst.set?.sources,
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

function rankPlan(
  selection: DestinationSelection,
  catalog: CatalogParam[],
  indexed: Map<number, IndexedRank>,
  options: PlanOptions
): RankPlan {
  const byName = new Map(catalog.map((p) => [p.name, p]))
  const sources: SourceFileRef[] = selection.sourceRanks.map((rank) => {
    const file = indexed.get(rank)!
    return { rank, path: file.path, size: file.size, format: file.format }
  })
  const sourceIndex = new Map(selection.sourceRanks.map((rank, i) => [rank, i]))
  const params: ParamPlan[] = selection.params.map((p) => {
    const param = byName.get(p.name)!
    const read = (rank: number, from: number[], to: number[], extent: number[]): TensorRead => {
      const entry = indexed.get(rank)!.tensors.get(p.name)!
      const runs = contiguousRuns(entry.shape, extent, dtypeByName(entry.dtype)!.bytes)
      return {
        source: sourceIndex.get(rank)!,
        shape: entry.shape,
        chunks: entry.chunks,
        from,
        to,
        extent,
        runCount: runs.runCount,
        runBytes: runs.runBytes
      }
    }
    const outDtype = outputDtype(param.dtype, options.dtype)
    if (p.action === 'copy') {
      const entry = indexed.get(p.rank)!.tensors.get(p.name)!
      const zeros = entry.shape.map(() => 0)
      return {
        name: p.name,
        action: 'copy',
        copyReason: p.reason,
        dtype: entry.dtype,
        outDtype: outputDtype(entry.dtype, options.dtype),
        shape: [...entry.shape],
        fullShape: [...entry.shape],
        offset: zeros,
        reads: [read(p.rank, zeros, zeros, [...entry.shape])]
      }
    }
    const origin = p.destinationBox.offset
    return {
      name: p.name,
      action: 'reshard',
      dtype: param.dtype,
      outDtype,
      shape: [...p.destinationBox.extent],
      fullShape: [...param.fullShape],
      offset: [...origin],
      reads: p.pieces.map((piece) =>
        read(
          piece.rank,
          piece.part.offset.map((o, i) => o - piece.sourceBox.offset[i]!),
          piece.part.offset.map((o, i) => o - origin[i]!),
          [...piece.part.extent]
        )
      )
    }
  })
  const output = `rank_${selection.rank}/${options.prefix}${selection.rank}.${options.format}`
  return {
    rank: selection.rank,
    stage: selection.stage,
    local: selection.local,
    output,
    sourceRanks: selection.sourceRanks,
    sources,
    params,
    totals: {
      bytesRead: params.reduce(
        (sum, p) =>
          sum +
          p.reads.reduce(
            (s, r) => s + boxVolume({ offset: r.from, extent: r.extent }) * dtypeByName(p.dtype)!.bytes,
            0
          ),
        0
      ),
      bytesWritten: outputSize(params, options),
      filesOpened: sources.length,
      peakBuffer: peakBuffer(params)
    }
  }
}

function outputSize(params: ParamPlan[], options: PlanOptions): number {
  const tensors = params.map((p) => ({
    name: p.name,
    dtype: p.outDtype,
    shape: p.shape,
    dims: dimsForShape(p.shape, p.outDtype),
    byteLength: elementCount(p.shape) * dtypeByName(p.outDtype)!.bytes
  }))
  return options.format === 'safetensors'
    ? planSafetensorsLayout(tensors).fileSize
    : ckptFileSize(tensors, { crc: options.crc })
}

/** Two slabs of the largest tensor (one filling while one is written), their cast copies, and the read buffer. */
function peakBuffer(params: ParamPlan[]): number {
  let largest = 0
  for (const p of params) {
    const inBytes = dtypeByName(p.dtype)!.bytes
    const outBytes = dtypeByName(p.outDtype)!.bytes
    const slab = Math.min(
      elementCount(p.shape) * inBytes,
      Math.floor((SLAB_BYTES * inBytes) / Math.max(inBytes, outBytes))
    )
    const cast = p.outDtype === p.dtype ? 0 : (slab / inBytes) * outBytes
    largest = Math.max(largest, 2 * (slab + cast))
  }
  return largest + (params.length > 0 ? READ_BUFFER_BYTES : 0)
}

function reportMissingSources(
  missing: Map<number, number[]>,
  present: number[],
  folder: string,
  problems: Problem[]
): void {
  for (const [rank, destinations] of [...missing].sort((a, b) => a[0] - b[0])) {
    const why = present.includes(rank)
      ? `its file in ${folder}/rank_${rank}/ could not be read`
      : `${folder} has no rank_${rank}/ checkpoint`
    problems.push({
      severity: 'error',
      message: `Source rank ${rank} is needed for destination rank${destinations.length > 1 ? 's' : ''} ${destinations.join(', ')}, but ${why}.`,
      rank
    })
  }
}

function reportCopies(
  copied: Map<CopyReason, Set<string>>,
  src: StrategySide,
  dst: StrategySide,
  problems: Problem[]
): void {
  const words: Record<CopyReason, (names: string[]) => Problem> = {
    'not-in-any-strategy': (names) => ({
      severity: 'note',
      message: `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} in no strategy, so ${names.length === 1 ? 'it is' : 'they are'} copied whole from the matching source rank, as MindSpore does.`
    }),
    'not-in-source-strategy': (names) => ({
      severity: 'warning',
      message: `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} missing from the ${whereOf(src)} but listed in the ${whereOf(dst)}; like MindSpore, Shardscope copies the stored tensor whole without slicing it, which is right only if the destination does not shard it.`
    }),
    'not-in-destination-strategy': (names) => ({
      severity: 'warning',
      message: `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} in the ${whereOf(src)} but not in the ${whereOf(dst)}; like MindSpore, Shardscope copies the matching source rank's stored slice unchanged. Exclude ${names.length === 1 ? 'it' : 'them'} with --exclude if the destination model does not use ${names.length === 1 ? 'it' : 'them'}.`
    })
  }
  for (const [reason, names] of copied) problems.push(words[reason]([...names]))
}

/** Destination layouts with nothing to fill them: the output will lack these parameters. */
function reportUnplaced(dst: StrategySide, indexed: Map<number, IndexedRank>, problems: Problem[]): void {
  if (!dst.set || indexed.size === 0) return
  const held = new Set([...indexed.values()].flatMap((r) => [...r.tensors.keys()]))
  const absent = [...dst.byName.keys()].filter((name) => !held.has(name))
  if (absent.length === 0) return
  problems.push({
    severity: 'warning',
    message: `The ${whereOf(dst)} lists ${absent.length} parameter${absent.length === 1 ? '' : 's'} the source does not hold (${listNames(absent)}); the output will not contain ${absent.length === 1 ? 'it' : 'them'}.`
  })
}
