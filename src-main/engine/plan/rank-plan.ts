import { ShardscopeError } from '../errors'
import { dtypeByName } from '../formats/dtypes'
import type { TensorEntry } from '../formats/tensor-entry'
import { contiguousRuns } from './byte-runs'
import { copyExpectation } from './output-size'
import { outputDtype } from './output-dtype'
import type { ParamPlan, PlanOptions, RankOutline, RankPlan, StageRecipe, TensorRead } from './plan-types'
import { isTied, RecipeLayouts } from './source-selection'

/** A source rank's stored tensor by name, from whatever index the caller has (its own sources, or the folder's). */
export type TensorLookup = (rank: number, name: string) => TensorEntry | undefined

/**
 * The data plan of one destination rank, rebuilt from its outline and its stage's recipe: per parameter the
 * regions read from each source tensor (with the tensor's byte runs) and where they land. Where it runs this is
 * the rank's own worker, which indexed only the rank's sources; a source tensor that is not what the plan
 * expected means the file changed since planning, and the rank is refused.
 */
export function buildRankPlan(
  recipe: StageRecipe,
  outline: RankOutline,
  lookup: TensorLookup,
  options: PlanOptions,
  layouts = new RecipeLayouts(recipe)
): RankPlan {
  const place = layouts.at(outline.local)
  const sourceIndex = new Map(outline.sourceRanks.map((rank, i) => [rank, i]))
  const stored = (rank: number, name: string, dtype: string, shape: readonly number[]): TensorEntry => {
    const entry = lookup(rank, name)
    if (!entry || entry.dtype !== dtype || entry.shape.join() !== shape.join()) {
      const source = outline.sources[sourceIndex.get(rank)!]!
      throw new ShardscopeError(
        'SOURCE_CHANGED',
        `Source ${source.path} (rank ${rank}) no longer holds ${name} as ${dtype} [${shape.join(', ')}], as it did when the conversion was planned${entry ? ` (it holds ${entry.dtype} [${entry.shape.join(', ')}])` : ''}. Nothing was written for destination rank ${outline.rank}; plan the conversion again.`,
        { file: source.path, param: name, rank }
      )
    }
    return entry
  }
  const read = (
    entry: TensorEntry,
    rank: number,
    from: number[],
    to: number[],
    extent: number[]
  ): TensorRead => {
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
  let tied = 0
  let copy = 0
  const params = recipe.entries.map((p): ParamPlan => {
    if ('copy' in p) {
      const k = copy++
      const rank = outline.copyRanks[k]!
      const expected = outline.copyEntries?.[k] ?? copyExpectation(p, rank, recipe.sourceStageDevices)!
      const entry = stored(rank, p.name, expected.dtype, expected.shape)
      const zeros = entry.shape.map(() => 0)
      return {
        name: p.name,
        action: 'copy',
        copyReason: p.copy,
        dtype: entry.dtype,
        outDtype: outputDtype(entry.dtype, options.dtype),
        shape: [...entry.shape],
        fullShape: [...entry.shape],
        offset: zeros,
        reads: [read(entry, rank, zeros, zeros, [...entry.shape])]
      }
    }
    const { destinationBox, candidates } = place(p.class)
    const sources = recipe.classes[p.class]!.sources
    const stage = isTied(recipe, p) ? outline.tiedStages[tied++] : undefined
    const choice = stage === undefined ? 0 : sources.findIndex((s) => s.stage === stage)
    const origin = destinationBox.offset
    return {
      name: p.name,
      action: 'reshard',
      dtype: p.dtype,
      outDtype: outputDtype(p.dtype, options.dtype),
      shape: [...destinationBox.extent],
      fullShape: [...p.fullShape],
      offset: [...origin],
      reads: candidates[choice]!.map((piece) =>
        read(
          stored(piece.rank, p.name, p.dtype, piece.sourceBox.extent),
          piece.rank,
          piece.part.offset.map((o, i) => o - piece.sourceBox.offset[i]!),
          piece.part.offset.map((o, i) => o - origin[i]!),
          [...piece.part.extent]
        )
      )
    }
  })
  return {
    rank: outline.rank,
    stage: outline.stage,
    local: outline.local,
    output: outline.output,
    sourceRanks: outline.sourceRanks,
    sources: outline.sources,
    params,
    totals: outline.totals
  }
}
