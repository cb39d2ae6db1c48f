import { useMemo, type MouseEvent } from 'react'
import { useAppStore } from '../../store/app-store'
import type { SliceBlocksProps } from './SliceBlocks'
import { blockAt } from './painted-block'
import { paintBlocks, paintedBlocks } from './slice-paint'

type PaintedSlicesProps = Omit<SliceBlocksProps, 'describe'>

/**
 * The blocks of a layout with thousands of slices, painted into one image inside the SVG: the same colours and
 * places as SliceBlocks, pointing and clicking found by position, the selected rank's piece still outlined.
 */
export function PaintedSlices(props: PaintedSlicesProps) {
  const { groups, fold, scale, colorIndex, selectedRank, optimizerSharded } = props
  const theme = useAppStore((s) => s.theme)
  const blocks = useMemo(
    () => paintedBlocks(groups, fold, scale, colorIndex, optimizerSharded),
    // The theme changes the tints paintedBlocks reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [groups, fold, scale, colorIndex, optimizerSharded, theme]
  )
  // Twice the drawing's resolution at least, so a 2× PNG export stays sharp.
  const href = useMemo(
    () => paintBlocks(blocks, scale, Math.max(2, window.devicePixelRatio || 1)),
    [blocks, scale]
  )
  const targetAt = (event: MouseEvent<SVGImageElement>) => {
    const box = event.currentTarget.getBoundingClientRect()
    return blockAt(blocks, event.clientX - box.left, event.clientY - box.top)?.target
  }
  const selectedLocal = selectedRank === undefined ? -1 : selectedRank - groups.rankBase
  const selected = groups.storedOfLocal[selectedLocal]
  const selectedRect = selected && scale.toPixels(fold.rectOf(selected.box))
  return (
    <g className="slice-blocks painted">
      <image
        href={href}
        x={0}
        y={0}
        width={scale.width}
        height={scale.height}
        preserveAspectRatio="none"
        data-testid="slice-image"
        data-blocks={blocks.length}
        className="slice-image"
        onMouseMove={(event) => props.onPoint(targetAt(event), event)}
        onMouseLeave={() => props.onPoint(undefined)}
        onClick={(event) => {
          const target = targetAt(event)
          const ranks = target && (target.kind === 'shard' ? target.shard.ranks : target.slice.ranks)
          if (ranks) props.onSelect(ranks[0]!)
        }}
      />
      {selectedRect && (
        <rect
          x={selectedRect.x}
          y={selectedRect.y}
          width={Math.max(selectedRect.w, 1)}
          height={Math.max(selectedRect.h, 1)}
          className="selected-outline"
          data-testid="selected-block"
        />
      )}
    </g>
  )
}
