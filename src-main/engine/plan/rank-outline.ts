import { dtypeByName } from '../formats/dtypes'
import { elementCount } from '../formats/tensor-entry'
import { boxVolume } from '../layout/box'
import type { CopyEntry, CrcCheck, PlanOptions, RankOutline, SourceFileRef, StageRecipe } from './plan-types'
import { OutputSizes, copyExpectation, type WrittenTensor } from './output-size'
import type { RankSelection, RecipeLayouts } from './source-selection'
import type { SourceIndex } from './source-index'

/**
 * What the plan keeps of one destination rank, worked out per layout class rather than per parameter: its
 * sources (with the CRC decision for each), the bytes it reads from each, the size of its output and the
 * buffer it needs, and the selection's choices from which its RankPlan is rebuilt where it runs.
 */
export function rankOutline(
  at: { rank: number; stage: number; local: number },
  layouts: RecipeLayouts,
  selection: RankSelection,
  index: SourceIndex,
  sizes: OutputSizes,
  options: PlanOptions,
  verifyCrc: boolean
): RankOutline {
  const recipe = layouts.recipe
  const place = layouts.at(at.local)
  const slot = new Map(selection.sourceRanks.map((rank, i) => [rank, i]))
  const sourceBytes = selection.sourceRanks.map(() => 0)
  // Per source: non-empty tensors of the file this rank reads whole (its CRC comes free if that is all of them).
  const whole = selection.sourceRanks.map(() => 0)
  const read = (rank: number, bytes: number, isWhole: boolean, nonEmpty: boolean) => {
    const i = slot.get(rank)!
    sourceBytes[i]! += bytes
    if (isWhole && nonEmpty) whole[i]!++
  }

  // Classes with one source stage: every parameter of the class reads the same pieces.
  const groups = layouts.groups
  for (const [cls, sum] of groups.single)
    for (const piece of place(cls).candidates[0]!) {
      const i = slot.get(piece.rank)!
      sourceBytes[i]! += boxVolume(piece.part) * sum.bytes
      if (sameExtent(piece.part.extent, piece.sourceBox.extent) && boxVolume(piece.sourceBox) > 0)
        whole[i]! += sum.count
    }

  // Tied entries and copies, in recipe order (their slots).
  const tiedStages = new Array<number>(groups.tied.length)
  for (const { entry, slot: k } of groups.tied) {
    const choice = selection.tied[k]!
    tiedStages[k] = recipe.classes[entry.class]!.sources[choice]!.stage
    for (const piece of place(entry.class).candidates[choice]!)
      read(
        piece.rank,
        boxVolume(piece.part) * elementBytes(entry.dtype),
        sameExtent(piece.part.extent, piece.sourceBox.extent),
        boxVolume(piece.sourceBox) > 0
      )
  }
  const copied = new Array<WrittenTensor>(groups.copies.length)
  const copyEntries: NonNullable<RankOutline['copyEntries']> = {}
  for (const { entry, slot: k } of groups.copies) {
    const rank = selection.copyRanks[k]!
    const stored = copyStored(entry, rank, recipe, index)
    if (stored.unexpected) copyEntries[k] = { dtype: stored.dtype, shape: stored.shape }
    const elements = elementCount(stored.shape)
    read(rank, elements * elementBytes(stored.dtype), true, elements > 0)
    copied[k] = { name: entry.name, dtype: stored.dtype, shape: stored.shape }
  }

  const sources = selection.sourceRanks.map((rank, i): SourceFileRef => {
    const file = index.file(rank)!
    const readsWhole = whole[i] === file.records.nonEmpty
    const crc: CrcCheck = !file.hasCrc
      ? 'none'
      : readsWhole
        ? 'during-run'
        : verifyCrc
          ? 'requested'
          : 'not-checked'
    return {
      rank,
      path: file.path,
      ...(file.realPath ? { realPath: file.realPath } : {}),
      size: file.size,
      format: file.format,
      identity: file.identity,
      crc
    }
  })
  const written = sizes.of(recipe, copied)
  return {
    rank: at.rank,
    stage: at.stage,
    local: at.local,
    output: `rank_${at.rank}/${options.prefix}${at.rank}.${options.format}`,
    sourceRanks: selection.sourceRanks,
    sources,
    totals: {
      bytesRead: sourceBytes.reduce((a, b) => a + b, 0),
      bytesWritten: written.bytesWritten,
      filesOpened: sources.length,
      peakBuffer: written.peakBuffer
    },
    paramCount: recipe.entries.length,
    sourceBytes,
    tiedStages,
    copyRanks: selection.copyRanks,
    ...(Object.keys(copyEntries).length > 0 ? { copyEntries } : {})
  }
}

/** The tensor a copy reads, as the source file stores it, and whether the recipe could not have said so. */
function copyStored(
  entry: CopyEntry,
  rank: number,
  recipe: StageRecipe,
  index: SourceIndex
): { dtype: string; shape: number[]; unexpected: boolean } {
  const stored = index.entry(rank, index.nameId(entry.name)!)!
  const expected = copyExpectation(entry, rank, recipe.sourceStageDevices)
  const unexpected =
    !expected || expected.dtype !== stored.dtype || expected.shape.join() !== stored.shape.join()
  return { dtype: stored.dtype, shape: stored.shape, unexpected }
}

function sameExtent(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const elementBytes = (dtype: string) => dtypeByName(dtype)!.bytes
