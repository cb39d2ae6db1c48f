import type { MouseEvent } from 'react'
import type { ModelSlice, SliceGroups, StoredSlice } from '../../viz/layout/slice-groups'
import { sliceColor, sliceTint } from '../../viz/layout/slice-colors'
import type { TensorFold, UnitRect } from './tensor-fold'
import type { TensorScale } from './tensor-scale'

export type BlockTarget =
  { kind: 'slice'; slice: ModelSlice } | { kind: 'shard'; slice: ModelSlice; shard: StoredSlice }

export interface SliceBlocksProps {
  groups: SliceGroups
  fold: TensorFold
  scale: TensorScale
  colorIndex: Map<string, number>
  selectedRank?: number
  optimizerSharded: boolean
  describe(target: BlockTarget): string
  onPoint(target: BlockTarget | undefined, event?: MouseEvent): void
  onSelect(rank: number): void
}

/** Every model-parallel slice as a block, its optimizer shards as bands inside; the selected rank's piece outlined. */
export function SliceBlocks(props: SliceBlocksProps) {
  const { groups, fold, scale, colorIndex, selectedRank, optimizerSharded } = props
  const pixels = (box: ModelSlice['box']) => scale.toPixels(fold.rectOf(box))
  const selectedLocal = selectedRank === undefined ? -1 : selectedRank - groups.rankBase
  const selected = groups.storedOfLocal[selectedLocal]
  return (
    <g className="slice-blocks">
      {groups.model.map((slice) => {
        const rect = pixels(slice.box)
        const single = slice.shards[0]!
        const pointSlice = (e: MouseEvent) => props.onPoint({ kind: 'slice', slice }, e)
        return (
          <g
            key={slice.key}
            className="slice-block"
            data-testid="slice-block"
            data-ranks={slice.ranks.join(',')}
            data-replicas={slice.replicas}
            onClick={() => props.onSelect(slice.ranks[0]!)}
            onMouseMove={optimizerSharded ? undefined : pointSlice}
            onMouseLeave={() => props.onPoint(undefined)}
          >
            <title>{props.describe({ kind: 'slice', slice })}</title>
            {optimizerSharded ? (
              slice.shards.map((shard) => (
                <ShardBand
                  key={shard.key}
                  slice={slice}
                  shard={shard}
                  rect={pixels(shard.box)}
                  colorIndex={colorIndex.get(shard.key) ?? 0}
                  actions={props}
                />
              ))
            ) : (
              <rect
                {...rectProps(rect)}
                className="slice-fill"
                fill={sliceTint(colorIndex.get(single.key) ?? 0)}
              />
            )}
            <rect
              {...rectProps(rect)}
              className="slice-outline"
              stroke={optimizerSharded ? undefined : sliceColor(colorIndex.get(single.key) ?? 0)}
            />
            {!optimizerSharded && <BlockLabel rect={rect} ranks={slice.ranks} replicas={slice.replicas} />}
          </g>
        )
      })}
      {selected && (
        <rect
          {...rectProps(pixels(selected.box))}
          className="selected-outline"
          data-testid="selected-block"
        />
      )}
    </g>
  )
}

interface ShardBandProps {
  slice: ModelSlice
  shard: StoredSlice
  rect: UnitRect
  colorIndex: number
  actions: Pick<SliceBlocksProps, 'describe' | 'onPoint' | 'onSelect'>
}

/** One optimizer shard: the part of the slice one rank (and its replicas) stores. */
function ShardBand({ slice, shard, rect, colorIndex, actions }: ShardBandProps) {
  return (
    <g
      className="opt-block"
      data-testid="opt-block"
      data-rank={shard.ranks[0]}
      data-ranks={shard.ranks.join(',')}
      onClick={(e) => {
        e.stopPropagation()
        actions.onSelect(shard.ranks[0]!)
      }}
      onMouseMove={(e) => actions.onPoint({ kind: 'shard', slice, shard }, e)}
    >
      <title>{actions.describe({ kind: 'shard', slice, shard })}</title>
      <rect
        {...rectProps(rect)}
        fill={sliceTint(colorIndex)}
        stroke={sliceColor(colorIndex)}
        className="opt-fill"
      />
      <BlockLabel rect={rect} ranks={shard.ranks} replicas={shard.ranks.length} />
    </g>
  )
}

const rectProps = (r: UnitRect) => ({ x: r.x, y: r.y, width: Math.max(r.w, 1), height: Math.max(r.h, 1) })

/** "r0, r4" in the block when it fits, and a ×n badge when several ranks hold the same data. */
function BlockLabel({ rect, ranks, replicas }: { rect: UnitRect; ranks: number[]; replicas: number }) {
  if (rect.w < 30 || rect.h < 16) return null
  const text =
    ranks.length <= 4 ? ranks.map((r) => `r${r}`).join(', ') : `r${ranks[0]} … r${ranks[ranks.length - 1]}`
  const fits = text.length * 6.6 + (replicas > 1 ? 30 : 0) < rect.w - 8
  const shown = fits ? text : `r${ranks[0]}${ranks.length > 1 ? '…' : ''}`
  return (
    <g className="block-label" pointerEvents="none">
      <text x={rect.x + rect.w / 2} y={rect.y + rect.h / 2} className="block-ranks">
        {shown}
      </text>
      {replicas > 1 && rect.w >= 58 && rect.h >= 30 && (
        <g transform={`translate(${rect.x + rect.w - 30},${rect.y + 5})`} className="replica-badge">
          <rect width={25} height={15} rx={7.5} />
          <text x={12.5} y={7.5}>
            ×{replicas}
          </text>
        </g>
      )}
    </g>
  )
}
