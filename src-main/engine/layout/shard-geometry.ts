import { ShardscopeError } from '../errors'
import type { Box } from './box'
import { coordsToRank, deviceCount, indexOver, rankToCoords, setIndexOver } from './device-matrix'
import { describeShardLayout, splitsPerDimension, type ShardLayout } from './shard-layout'

/**
 * Where every rank's slice of one parameter lies, for a layout and a full shape (spec §4.3, §4.5).
 *
 * Rank r holds, along dimension i, block k_i of n_i equal blocks, where n_i multiplies the sizes of the axes
 * the dimension is split over and k_i is r's row-major coordinate on them. With optimizer sharding the
 * model-parallel slice is cut again along dimension 0 into k parts; r keeps part p mod k, p being r's row-major
 * index over the axes the map does not use (its position in its repeated group).
 */
export class ShardGeometry {
  readonly devices: number
  /** n_i: blocks along each dimension. */
  readonly splits: number[]
  /** The model-parallel slice shape S_i / n_i. */
  readonly mpShape: number[]
  /** The shape each rank stores: the model-parallel slice with dimension 0 divided by the optimizer shards. */
  readonly localShape: number[]
  /** Device axes of size > 1 not used by the map; replicas of a slice differ only along these. */
  readonly repeatAxes: number[]
  private readonly usedAxes: number[]

  constructor(
    readonly layout: ShardLayout,
    readonly fullShape: readonly number[],
    param = '(unnamed)'
  ) {
    const d = layout.devMatrix
    this.devices = deviceCount(d)
    this.splits = splitsPerDimension(layout)
    const indivisible = this.splits.findIndex((n, i) => fullShape[i]! % n !== 0)
    if (indivisible >= 0) {
      throw new ShardscopeError(
        'INVALID_LAYOUT',
        `Parameter ${param} of shape [${fullShape.join(', ')}] cannot be split by ${describeShardLayout(layout)}: dimension ${indivisible} (size ${fullShape[indivisible]}) is not divisible into ${this.splits[indivisible]} parts.`,
        { param }
      )
    }
    this.mpShape = fullShape.map((s, i) => s / this.splits[i]!)
    this.localShape = [...this.mpShape]
    if (layout.optShards > 1) {
      if (this.mpShape.length === 0 || this.mpShape[0]! % layout.optShards !== 0) {
        throw new ShardscopeError(
          'INVALID_LAYOUT',
          `Parameter ${param} of shape [${fullShape.join(', ')}] cannot be split by ${describeShardLayout(layout)}: its model-parallel slice [${this.mpShape.join(', ')}] cannot be cut into ${layout.optShards} optimizer shards along dimension 0.`,
          { param }
        )
      }
      this.localShape[0] = this.mpShape[0]! / layout.optShards
    }
    this.usedAxes = layout.dimAxes.flat()
    this.repeatAxes = d.map((_, axis) => axis).filter((axis) => d[axis]! > 1 && !this.usedAxes.includes(axis))
  }

  /** The slice local rank `rank` stores, in full-tensor coordinates. */
  boxOf(rank: number): Box {
    const coords = rankToCoords(rank, this.layout.devMatrix)
    const offset = this.layout.dimAxes.map(
      (axes, i) => indexOver(coords, axes, this.layout.devMatrix) * this.mpShape[i]!
    )
    const extent = [...this.localShape]
    if (this.layout.optShards > 1) offset[0] = offset[0]! + this.optIndex(coords) * this.localShape[0]!
    return { offset, extent }
  }

  /** Which optimizer shard a rank keeps. */
  optIndex(coords: readonly number[]): number {
    return indexOver(coords, this.repeatAxes, this.layout.devMatrix) % this.layout.optShards
  }

  /**
   * The replica of `rank`'s slice that lies closest to `anchor`: same coordinates on the axes the map uses,
   * and on the repeated axes the anchor's own optimizer group. Choosing replicas this way keeps the ranks one
   * destination needs few (the same anchor serves every parameter) and spreads destinations over replicas.
   */
  replicaNear(rank: number, anchor: number): number {
    const d = this.layout.devMatrix
    const coords = rankToCoords(rank, d)
    const anchorCoords = rankToCoords(anchor % this.devices, d)
    const k = this.layout.optShards
    const anchorGroup = Math.floor(indexOver(anchorCoords, this.repeatAxes, d) / k)
    setIndexOver(coords, this.repeatAxes, d, anchorGroup * k + this.optIndex(coords))
    return coordsToRank(coords, d)
  }

  /**
   * One representative rank per distinct slice (the lowest), with the slice, ascending by rank. Enumerates the
   * slices themselves, not the devices: one per combination of coordinates on the axes the map uses and
   * optimizer shard, each held lowest by the rank whose repeated-axis index is the shard number.
   */
  distinctSlices(): { rank: number; box: Box }[] {
    const d = this.layout.devMatrix
    const usedCombinations = deviceCount(this.usedAxes.map((axis) => d[axis]!))
    const coords = new Array<number>(d.length).fill(0)
    const slices: { rank: number; box: Box }[] = []
    for (let used = 0; used < usedCombinations; used++) {
      setIndexOver(coords, this.usedAxes, d, used)
      for (let shard = 0; shard < this.layout.optShards; shard++) {
        setIndexOver(coords, this.repeatAxes, d, shard)
        const rank = coordsToRank(coords, d)
        slices.push({ rank, box: this.boxOf(rank) })
      }
    }
    return slices.sort((a, b) => a.rank - b.rank)
  }

  /**
   * The distinct slices that overlap `box`, as `distinctSlices` gives them, found from the box itself: along each
   * dimension the stored pieces (model-parallel blocks, dimension 0 also cut into optimizer shards) the box
   * touches. Costs what the answer holds, not the number of devices: a destination slice of one rank usually
   * meets one or a few source slices, while a stage may have 2^17 of them.
   */
  slicesOverlapping(box: Box): { rank: number; box: Box }[] {
    const ranges = this.localShape.map((piece, i) => {
      const start = box.offset[i]!
      const end = start + box.extent[i]!
      if (piece === 0 || end <= start) return [0, 0] as const
      const pieces = this.fullShape[i]! / piece
      return [Math.max(0, Math.floor(start / piece)), Math.min(pieces, Math.ceil(end / piece))] as const
    })
    if (ranges.some(([from, to]) => to <= from)) return []
    const d = this.layout.devMatrix
    const k = this.layout.optShards
    const coords = new Array<number>(d.length).fill(0)
    const piece = ranges.map(([from]) => from)
    const slices: { rank: number; box: Box }[] = []
    for (;;) {
      piece.forEach((p, i) =>
        setIndexOver(coords, this.layout.dimAxes[i]!, d, i === 0 ? Math.floor(p / k) : p)
      )
      setIndexOver(coords, this.repeatAxes, d, piece.length > 0 ? piece[0]! % k : 0)
      const rank = coordsToRank(coords, d)
      slices.push({ rank, box: this.boxOf(rank) })
      // Next combination, last dimension fastest.
      let i = piece.length - 1
      while (i >= 0 && ++piece[i]! >= ranges[i]![1]) piece[i] = ranges[i--]![0]
      if (i < 0) break
    }
    return slices.sort((a, b) => a.rank - b.rank)
  }
}
