import type { IndexedRank } from './source-index'
import type { SelectedParam } from './source-selection'
import { layoutInStage, type StrategySide } from '../../src-main/engine/plan/strategy-side'

/**
 * The order in which MindSpore's transform writes the records of one destination rank's `.ckpt`, so that our
 * outputs are byte-identical to `transform_checkpoints` / `transform_checkpoint_by_rank` (mindspore 2.7,
 * parallel/_parallel_serialization.py `_transform_parallel_checkpoint`, checkpoint_transform.py):
 *
 * 1. MindSpore loads the files of `rank_list_for_transform(rank)`, a list sorted in descending rank order, one
 *    after the other into one insertion-ordered dict; a name takes the place of its first appearance. Each
 *    file's names come in its own order: record order for `.ckpt` (`load_checkpoint`), and for `.safetensors`
 *    the order of `safetensors.numpy.load_file`, which is data-offset order since safetensors 0.6.0 (before
 *    that: sorted names), so that is the order used here.
 * 2. It writes the resharded parameters first, in that dict's order, then the copied ones (no layout in the
 *    source or destination strategy: global_step, learning_rate …), in that dict's order.
 *
 * MindSpore's list is often larger than the set this planner reads (it loads every rank of every pipeline
 * stage some remaining source parameter lists), but the order does not depend on those extra files' bytes, only
 * on their names: all ranks of one stage save the same parameters in the same order, so descending ranks mean
 * descending stages, each contributing its stage's names. A stage's names are taken from the highest-ranked file
 * of that stage that was indexed; for a stage MindSpore loads but this plan reads nothing of, the names its
 * layouts list stand in, in the order the other files give them (the model's definition order).
 */
export function mindsporeRecordOrder(
  params: readonly SelectedParam[],
  destinationStage: number,
  src: StrategySide,
  dst: StrategySide,
  indexed: ReadonlyMap<number, IndexedRank>,
  modelOrder: readonly string[]
): SelectedParam[] {
  const position = new Map<string, number>()
  for (const stage of loadedStages(destinationStage, src, dst).sort((a, b) => b - a))
    for (const name of stageNames(stage, src, indexed, modelOrder))
      if (!position.has(name)) position.set(name, position.size)
  const fallback = new Map(modelOrder.map((name, i) => [name, i]))
  const key = (p: SelectedParam) =>
    position.get(p.name) ?? position.size + (fallback.get(p.name) ?? modelOrder.length)
  const ordered = (action: SelectedParam['action']) =>
    params.filter((p) => p.action === action).sort((a, b) => key(a) - key(b))
  return [...ordered('reshard'), ...ordered('copy')]
}

/**
 * The source stages whose files `rank_list_for_transform` lists for a destination stage: those of every source
 * layout left after cutting away the parameters the destination strategy places only in other stages.
 */
function loadedStages(destinationStage: number, src: StrategySide, dst: StrategySide): number[] {
  if (!src.set) return [0]
  const stages = new Set<number>()
  for (const [name, layouts] of src.byName) {
    if (dst.set && dst.byName.has(name) && !layoutInStage(dst, name, destinationStage)) continue
    for (const layout of layouts) stages.add(layout.stage)
  }
  return [...stages]
}

function stageNames(
  stage: number,
  src: StrategySide,
  indexed: ReadonlyMap<number, IndexedRank>,
  modelOrder: readonly string[]
): string[] {
  let file: IndexedRank | undefined
  for (const rank of indexed.values()) {
    if (Math.floor(rank.rank / src.stageDevices) !== stage) continue
    if (!file || rank.rank > file.rank) file = rank
  }
  if (file) return fileOrder(file)
  return modelOrder.filter((name) => src.byName.get(name)?.some((l) => l.stage === stage))
}

/** The order `load_checkpoint` (record order) or `safetensors.numpy.load_file` (data offsets) yields names in. */
function fileOrder(file: IndexedRank): string[] {
  const entries = [...file.tensors.values()]
  if (file.format === 'safetensors') {
    const start = (t: (typeof entries)[number]) => t.chunks[0]?.offset ?? 0
    entries.sort((a, b) => start(a) - start(b) || a.byteLength - b.byteLength)
  }
  return entries.map((t) => t.name)
}
