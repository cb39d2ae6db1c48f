import { intersectBoxes, type Box } from '../../src-main/engine/layout/box'
import { ShardGeometry } from '../../src-main/engine/layout/shard-geometry'
import { replicatedLayout, toShardLayout, type ShardLayout } from '../../src-main/engine/layout/shard-layout'
import type { ParamLayout } from '../../src-main/engine/model/strategy-set'
import {
  layoutInStage,
  rankCount,
  stageOfRank,
  whereOf,
  type StrategySide
} from '../../src-main/engine/plan/strategy-side'

/** One source slice that contributes to a destination slice. */
export interface SourcePiece {
  /** Global source rank chosen among the replicas of the slice. */
  rank: number
  /** The source rank's stored slice, in full-tensor coordinates. */
  sourceBox: Box
  /** The part of it the destination needs (its intersection with the destination slice). */
  part: Box
}

export type CopyReason = 'not-in-source-strategy' | 'not-in-destination-strategy' | 'not-in-any-strategy'

export type SelectedParam =
  | {
      name: string
      action: 'reshard'
      /** Source pipeline stage read from (a tied parameter lives in several). */
      sourceStage: number
      sourceLayout: ShardLayout
      destinationLayout: ShardLayout
      fullShape: number[]
      destinationBox: Box
      pieces: SourcePiece[]
    }
  | { name: string; action: 'copy'; rank: number; reason: CopyReason }

export interface DestinationSelection {
  rank: number
  stage: number
  local: number
  params: SelectedParam[]
  /** Every source rank read from, ascending; nothing else. */
  sourceRanks: number[]
}

export interface ParamToPlace {
  name: string
  /** Full shape if known (real checkpoints) — otherwise a shape every split of both layouts divides. */
  fullShape: number[]
}

export interface SelectionOptions {
  /** Whether a source rank's file holds a parameter; strategies alone cannot tell, so they assume yes. */
  holds?: (globalRank: number, name: string) => boolean
}

/**
 * Decides, for one destination rank, where every parameter's bytes come from (spec §4.13): resharded
 * parameters take one replica of each source slice that overlaps the destination slice, replicas chosen near
 * the anchor `local mod source devices` so one destination needs few source files and destinations spread over
 * replicas; parameters a strategy does not list are copied whole from the matching source rank, as MindSpore
 * does.
 */
export function selectSources(
  src: StrategySide,
  dst: StrategySide,
  globalRank: number,
  params: ParamToPlace[],
  options: SelectionOptions = {}
): DestinationSelection {
  const { stage, local } = stageOfRank(dst, globalRank)
  const anchor = local % src.stageDevices
  const chosen = new Set<number>()
  const reshards: { param: ParamToPlace; destination: ParamLayout | undefined }[] = []
  const copies: { name: string; reason: CopyReason }[] = []

  for (const param of params) {
    const dstLayouts = dst.byName.get(param.name)
    const srcLayouts = src.byName.get(param.name)
    if (dst.set) {
      if (dstLayouts) {
        const destination = layoutInStage(dst, param.name, stage)
        if (!destination) continue
        if (src.set && !srcLayouts) copies.push({ name: param.name, reason: 'not-in-source-strategy' })
        else reshards.push({ param, destination })
      } else if (srcLayouts) {
        // A pipelined destination gives no stage for it; a single-stage one gets the source rank's copy.
        if (dst.stageCount === 1) copies.push({ name: param.name, reason: 'not-in-destination-strategy' })
      } else copies.push({ name: param.name, reason: 'not-in-any-strategy' })
    } else if (srcLayouts || !src.set) reshards.push({ param, destination: undefined })
    else copies.push({ name: param.name, reason: 'not-in-any-strategy' })
  }

  const candidatesOf = (item: (typeof reshards)[number]) =>
    sourceCandidates(src, dst, item.param, item.destination, local, anchor)
  const resolved = reshards.map((item) => ({ item, candidates: candidatesOf(item) }))
  // Parameters with one possible source stage fix the rank set first; tied parameters then join it if they can.
  resolved.sort((a, b) => Number(a.candidates.length > 1) - Number(b.candidates.length > 1))
  const selected: SelectedParam[] = []
  for (const { candidates } of resolved) {
    const best = candidates.reduce((a, b) =>
      newRanks(b.pieces, chosen) < newRanks(a.pieces, chosen) ? b : a
    )
    for (const piece of best.pieces) chosen.add(piece.rank)
    selected.push(best)
  }
  for (const copy of copies) {
    const rank = copySource(src, copy.name, anchor, chosen, options.holds)
    chosen.add(rank)
    selected.push({ name: copy.name, action: 'copy', rank, reason: copy.reason })
  }
  const order = new Map(params.map((p, i) => [p.name, i]))
  selected.sort((a, b) => order.get(a.name)! - order.get(b.name)!)
  return { rank: globalRank, stage, local, params: selected, sourceRanks: [...chosen].sort((a, b) => a - b) }
}

type Reshard = Extract<SelectedParam, { action: 'reshard' }>

function sourceCandidates(
  src: StrategySide,
  dst: StrategySide,
  param: ParamToPlace,
  destination: ParamLayout | undefined,
  local: number,
  anchor: number
): Reshard[] {
  const ndim = param.fullShape.length
  const destinationLayout = destination
    ? toShardLayout(destination, ndim, { param: param.name, where: whereOf(dst) })
    : replicatedLayout(ndim)
  const destinationBox = geometryOf(destinationLayout, param.fullShape, param.name).boxOf(local)
  const layouts: (ParamLayout | undefined)[] = src.set ? src.byName.get(param.name)! : [undefined]
  return layouts.map((layout) => {
    const sourceLayout = layout
      ? toShardLayout(layout, ndim, { param: param.name, where: whereOf(src) })
      : replicatedLayout(ndim)
    const sourceStage = layout?.stage ?? 0
    const geometry = geometryOf(sourceLayout, param.fullShape, param.name)
    const pieces: SourcePiece[] = []
    for (const slice of distinctSlices(geometry)) {
      const part = intersectBoxes(slice.box, destinationBox)
      if (!part) continue
      const rank = geometry.replicaNear(slice.rank, anchor)
      pieces.push({ rank: sourceStage * src.stageDevices + rank, sourceBox: geometry.boxOf(rank), part })
    }
    return {
      name: param.name,
      action: 'reshard',
      sourceStage,
      sourceLayout,
      destinationLayout,
      fullShape: param.fullShape,
      destinationBox,
      pieces
    }
  })
}

function newRanks(pieces: SourcePiece[], chosen: Set<number>): number {
  return new Set(pieces.map((p) => p.rank).filter((r) => !chosen.has(r))).size
}

/** MindSpore copies unlisted parameters from local rank `t mod N_src`; prefer a rank already being read. */
function copySource(
  src: StrategySide,
  name: string,
  anchor: number,
  chosen: Set<number>,
  holds: SelectionOptions['holds'] = () => true
): number {
  const stages =
    src.byName.get(name)?.map((l) => l.stage) ?? Array.from({ length: src.stageCount }, (_, s) => s)
  const anchors = stages.map((s) => s * src.stageDevices + anchor)
  const all = Array.from({ length: rankCount(src) }, (_, r) => r)
  return (
    anchors.find((r) => chosen.has(r) && holds(r, name)) ??
    [...chosen].sort((a, b) => a - b).find((r) => holds(r, name)) ??
    anchors.find((r) => holds(r, name)) ??
    all.find((r) => holds(r, name)) ??
    anchors[0]!
  )
}

const geometryCache = new Map<string, ShardGeometry>()
const slicesCache = new WeakMap<ShardGeometry, { rank: number; box: Box }[]>()

function geometryOf(layout: ShardLayout, fullShape: number[], param: string): ShardGeometry {
  const key = `${JSON.stringify(layout)}|${fullShape.join(',')}`
  let geometry = geometryCache.get(key)
  if (!geometry) {
    geometry = new ShardGeometry(layout, fullShape, param)
    if (geometryCache.size > 4096) geometryCache.clear()
    geometryCache.set(key, geometry)
  }
  return geometry
}

function distinctSlices(geometry: ShardGeometry): { rank: number; box: Box }[] {
  let slices = slicesCache.get(geometry)
  if (!slices) {
    slices = geometry.distinctSlices()
    slicesCache.set(geometry, slices)
  }
  return slices
}
