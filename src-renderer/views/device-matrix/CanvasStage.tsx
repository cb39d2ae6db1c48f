import * as d3 from 'd3'
import { useEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react'
import { useAppStore } from '../../store/app-store'
import type { SliceGroups } from '../../viz/layout/slice-groups'
import { sliceColor, sliceFaded, sliceTint } from '../../viz/layout/slice-colors'
import { canvasColor, neutralInk } from '../../viz/palette'
import { localAfterKey, localAt, type CellIndex } from './canvas-grid'

interface CanvasStageProps {
  stage: number
  devices: number
  rankBase: number
  index: CellIndex
  cell: number
  groups?: SliceGroups
  primary: boolean
  colorIndex: Map<string, number>
  pointedKey?: string
  selectedRank?: number
  onPoint(rank: number | undefined): void
  onSelect(rank: number): void
}

type Rgb = [number, number, number]

function rgbOf(color: string): Rgb {
  const c = d3.rgb(color)
  return [c.r, c.g, c.b]
}

/**
 * One pipeline stage's devices painted on a canvas, one cell per device coloured by the slice it holds: the
 * same picture as the SVG grid for stages of up to 2^17 devices. Pointing, clicking and the arrow keys pick
 * ranks as the SVG cells do; the detail line above says which rank is under the pointer and who shares its slice.
 */
export function CanvasStage(props: CanvasStageProps) {
  const { stage, devices, rankBase, index, cell, groups, colorIndex, pointedKey, selectedRank } = props
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const pointedLocal = useRef<number>(undefined)
  const theme = useAppStore((s) => s.theme)
  const active = !!groups
  const width = index.cols * cell
  const height = index.rows * cell

  // The colour index of each device's slice, worked out once per parameter rather than per repaint.
  const colorOfLocal = useMemo(() => {
    const colors = new Int32Array(devices).fill(-1)
    if (!groups) return colors
    for (let local = 0; local < devices; local++) {
      const stored = groups.storedOfLocal[local]
      if (stored) colors[local] = colorIndex.get(stored.key) ?? 0
    }
    return colors
  }, [devices, groups, colorIndex])

  useEffect(() => {
    const canvas = canvasRef.current
    const context = canvas?.getContext('2d')
    if (!canvas || !context) return
    const pointed = pointedKey === undefined ? undefined : colorIndex.get(pointedKey)
    const background = canvasColor()
    const none = rgbOf(d3.interpolateRgb(background, neutralInk())(0.25))
    const palette = new Map<number, Rgb>()
    const colorOf = (ci: number): Rgb => {
      // Strong for the pointed slice, a tint for the others, the tint faded while another slice is pointed at.
      const tone = pointed === undefined ? 1 : ci === pointed ? 0 : 2
      const key = ci * 3 + tone
      let rgb = palette.get(key)
      if (!rgb) {
        rgb = rgbOf(tone === 0 ? sliceColor(ci) : tone === 1 ? sliceTint(ci) : sliceFaded(ci))
        palette.set(key, rgb)
      }
      return rgb
    }
    // One pixel per device, then scaled up without smoothing: as fast for 2^17 devices as for 2^10.
    const pixels = new ImageData(index.cols, index.rows)
    const bg = rgbOf(background)
    for (let p = 0; p < index.cols * index.rows; p++) pixels.data.set([...bg, 255], p * 4)
    for (let local = 0; local < devices; local++) {
      const ci = colorOfLocal[local]!
      pixels.data.set([...(ci < 0 ? none : colorOf(ci)), 255], index.cellOfLocal[local]! * 4)
    }
    const source = document.createElement('canvas')
    source.width = index.cols
    source.height = index.rows
    source.getContext('2d')!.putImageData(pixels, 0, 0)
    const ratio = window.devicePixelRatio || 1
    canvas.width = Math.round(width * ratio)
    canvas.height = Math.round(height * ratio)
    context.imageSmoothingEnabled = false
    context.drawImage(source, 0, 0, canvas.width, canvas.height)
    const selectedLocal = selectedRank === undefined ? -1 : selectedRank - rankBase
    if (selectedLocal >= 0 && selectedLocal < devices) {
      const c = index.cellOfLocal[selectedLocal]!
      const line = Math.max(1, Math.min(3, cell / 4)) * ratio
      context.strokeStyle = neutralInk()
      context.lineWidth = line
      context.strokeRect(
        (c % index.cols) * cell * ratio - line / 2,
        Math.floor(c / index.cols) * cell * ratio - line / 2,
        cell * ratio + line,
        cell * ratio + line
      )
    }
  }, [
    index,
    cell,
    devices,
    colorOfLocal,
    colorIndex,
    pointedKey,
    selectedRank,
    rankBase,
    width,
    height,
    theme
  ])

  const point = (event: MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect()
    const local = localAt(index, cell, event.clientX - box.left, event.clientY - box.top)
    if (local === pointedLocal.current) return
    pointedLocal.current = local
    props.onPoint(local === undefined ? undefined : rankBase + local)
  }
  const onKeyDown = (event: KeyboardEvent) => {
    const from = selectedRank === undefined ? 0 : selectedRank - rankBase
    const next = localAfterKey(index, from >= 0 && from < devices ? from : 0, event.key)
    if (next === undefined) return
    event.preventDefault()
    props.onSelect(rankBase + next)
  }

  return (
    <div
      className={active ? 'canvas-stage' : 'canvas-stage dimmed'}
      data-testid="stage-block"
      data-stage={stage}
      data-active={active}
    >
      <div
        className="stage-title"
        data-export-label={`Stage ${stage} · ranks ${rankBase}–${rankBase + devices - 1}`}
      >
        Stage {stage}
        <span className="stage-ranks">
          ranks {rankBase}–{rankBase + devices - 1}
        </span>
      </div>
      <div className={active ? 'stage-status' : 'stage-status dimmed'}>
        {active ? (props.primary ? 'holds this layout' : 'holds a tied copy') : 'not in this stage'} ·{' '}
        {index.rows} × {index.cols} grid, one cell per device
      </div>
      <canvas
        ref={canvasRef}
        data-testid="device-canvas"
        data-stage={stage}
        data-rows={index.rows}
        data-cols={index.cols}
        data-cell={cell}
        style={{ width, height }}
        tabIndex={active ? 0 : -1}
        role="img"
        aria-label={`Stage ${stage}: ${devices} devices as a ${index.rows} by ${index.cols} grid${active ? '; arrow keys move the selected rank' : ', not holding this parameter'}`}
        {...(active
          ? {
              onMouseMove: point,
              onMouseLeave: () => {
                pointedLocal.current = undefined
                props.onPoint(undefined)
              },
              onClick: (event: MouseEvent<HTMLCanvasElement>) => {
                const box = event.currentTarget.getBoundingClientRect()
                const local = localAt(index, cell, event.clientX - box.left, event.clientY - box.top)
                if (local !== undefined) props.onSelect(rankBase + local)
              },
              onKeyDown
            }
          : {})}
      />
    </div>
  )
}
