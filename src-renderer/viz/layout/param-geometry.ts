import type { ParamRow } from '../../../src-main/api/contract'
import { elementCount } from '../../../src-main/engine/formats/tensor-entry'
import { ShardGeometry } from '../../../src-main/engine/layout/shard-geometry'
import {
  piecesPerDimension,
  toShardLayout,
  type ShardLayout
} from '../../../src-main/engine/layout/shard-layout'
import type { ParamLayout } from '../../../src-main/engine/model/strategy-set'

/** A parameter row's geometry, or why there is none (a layout the engine refuses). */
export type ParamGeometry =
  | {
      ok: true
      geometry: ShardGeometry
      layout: ShardLayout
      /** False when the strategy came without shapes: the geometry then uses one unit per split. */
      shapeKnown: boolean
      /** The shape the geometry was built for: the real one, or the unit stand-in. */
      shape: number[]
    }
  | { ok: false; error: string }

export function paramLayoutOf(row: ParamRow): ParamLayout {
  return {
    name: row.name,
    stage: row.stage,
    devMatrix: row.devMatrix,
    tensorMap: row.tensorMap,
    tensorMapForm: 'flat',
    paramSplitShape: [],
    indicesOffset: [],
    field: row.field,
    optShardStep: row.optShardStep,
    optShardSize: row.optShardSize
  }
}

export function buildGeometry(row: ParamRow): ParamGeometry {
  try {
    const ndim = row.shape?.length ?? row.tensorMap.length
    const layout = toShardLayout(paramLayoutOf(row), ndim, { param: row.name, where: 'Strategy' })
    // Without a shape each split (and each optimizer shard of dimension 0) is drawn as one unit.
    const shape = row.shape ?? piecesPerDimension(layout)
    return {
      ok: true,
      geometry: new ShardGeometry(layout, shape, row.name),
      layout,
      shapeKnown: !!row.shape,
      shape
    }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}

/** Bytes of one element, when the row knows its dtype and per-rank size. */
export function elementBytes(row: ParamRow): number | undefined {
  if (row.bytesPerRank === undefined || !row.sliceShape) return undefined
  const elements = elementCount(row.sliceShape)
  return elements > 0 ? row.bytesPerRank / elements : undefined
}
