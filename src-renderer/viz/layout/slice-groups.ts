import { boxKey, type Box } from '../../../src-main/engine/layout/box'
import { rankToCoords } from '../../../src-main/engine/layout/device-matrix'
import type { ShardGeometry } from '../../../src-main/engine/layout/shard-geometry'

/** One distinct stored slice (what a rank's checkpoint holds) and the global ranks holding it. */
export interface StoredSlice {
  key: string
  box: Box
  ranks: number[]
  optIndex: number
}

/** One distinct model-parallel slice, cut into its optimizer shards (one shard when not optimizer-sharded). */
export interface ModelSlice {
  key: string
  box: Box
  ranks: number[]
  shards: StoredSlice[]
  /** How many ranks hold each stored piece of it. */
  replicas: number
}

export interface SliceGroups {
  stored: StoredSlice[]
  model: ModelSlice[]
  /** The stored slice of each local rank. */
  storedOfLocal: StoredSlice[]
  /** Global rank of local rank 0 (stage × devices per stage). */
  rankBase: number
}

/** Groups a stage's ranks by the slices they hold, in rank order of first appearance. */
export function groupSlices(geometry: ShardGeometry, rankBase: number): SliceGroups {
  const storedByKey = new Map<string, StoredSlice>()
  const modelByKey = new Map<string, ModelSlice>()
  const storedOfLocal: StoredSlice[] = []
  const optShards = geometry.layout.optShards
  for (let local = 0; local < geometry.devices; local++) {
    const rank = rankBase + local
    const box = geometry.boxOf(local)
    const optIndex = optShards > 1 ? geometry.optIndex(rankToCoords(local, geometry.layout.devMatrix)) : 0
    const key = boxKey(box)
    let stored = storedByKey.get(key)
    if (!stored) {
      stored = { key, box, ranks: [], optIndex }
      storedByKey.set(key, stored)
    }
    stored.ranks.push(rank)
    storedOfLocal.push(stored)

    const modelBox = modelBoxOf(box, optIndex, geometry)
    const modelKey = boxKey(modelBox)
    let model = modelByKey.get(modelKey)
    if (!model) {
      model = { key: modelKey, box: modelBox, ranks: [], shards: [], replicas: 0 }
      modelByKey.set(modelKey, model)
    }
    model.ranks.push(rank)
    if (!model.shards.includes(stored)) model.shards.push(stored)
  }
  for (const model of modelByKey.values()) {
    model.shards.sort((a, b) => a.optIndex - b.optIndex)
    model.replicas = model.shards[0]!.ranks.length
  }
  return { stored: [...storedByKey.values()], model: [...modelByKey.values()], storedOfLocal, rankBase }
}

function modelBoxOf(box: Box, optIndex: number, geometry: ShardGeometry): Box {
  const offset = [...box.offset]
  if (offset.length > 0) offset[0] = offset[0]! - optIndex * geometry.localShape[0]!
  return { offset, extent: [...geometry.mpShape] }
}
