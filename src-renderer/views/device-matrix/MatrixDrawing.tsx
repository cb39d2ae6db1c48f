import type { RefObject } from 'react'
import type { ShardLayout } from '../../../src-main/engine/layout/shard-layout'
import { axisLabel } from '../../viz/layout/describe-layout'
import type { StageGeometry } from '../../viz/layout/use-param-geometry'
import { foldDeviceMatrix } from './grid-fold'
import { layoutMatrix } from './matrix-layout'
import { StageGrid } from './StageGrid'

const AXIS_LINE = 18

export interface MatrixDrawingProps {
  svgRef: RefObject<SVGSVGElement | null>
  width: number
  devMatrix: readonly number[]
  layout: ShardLayout
  stageCount: number
  stageDevices: number
  /** The stages holding the parameter, selected row first. */
  stageGeometries: StageGeometry[]
  colorIndex: Map<string, number>
  pointedKey?: string
  selectedRank?: number
  onPoint(rank: number | undefined): void
  onSelect(rank: number): void
  describeRank(rank: number): string
}

/** Axis captions, then every pipeline stage as a block of rank cells, wrapping when they do not fit side by side. */
export function MatrixDrawing({
  svgRef,
  width,
  devMatrix,
  layout,
  stageCount,
  stageDevices,
  stageGeometries,
  ...cells
}: MatrixDrawingProps) {
  const fold = foldDeviceMatrix(devMatrix)
  const geometry = layoutMatrix(fold, devMatrix, stageCount, width)
  const direction = (axis: number) =>
    fold.rowAxes.includes(axis) ? 'rows ↓' : fold.colAxes.includes(axis) ? 'columns →' : 'not drawn'
  const headerHeight = devMatrix.length * AXIS_LINE + 10
  const lines = Math.ceil(stageCount / geometry.blocksPerLine)
  const svgWidth =
    Math.min(stageCount, geometry.blocksPerLine) * (geometry.blockWidth + geometry.blockGap) -
    geometry.blockGap
  const svgHeight = headerHeight + lines * (geometry.blockHeight + geometry.blockGap) - geometry.blockGap
  return (
    <svg
      ref={svgRef}
      className="device-matrix-svg"
      width={Math.max(svgWidth, 420)}
      height={svgHeight}
      role="group"
      aria-label="Device matrix"
    >
      <g className="axis-captions">
        {devMatrix.map((_, axis) => (
          <text key={axis} x={0} y={14 + axis * AXIS_LINE}>
            <tspan className="axis-direction">{direction(axis)}</tspan>
            <tspan x={76}>{axisLabel(layout, axis)}</tspan>
          </text>
        ))}
      </g>
      {Array.from({ length: stageCount }, (_, stage) => {
        const line = Math.floor(stage / geometry.blocksPerLine)
        const column = stage % geometry.blocksPerLine
        const held = stageGeometries.find((s) => s.row.stage === stage)
        return (
          <StageGrid
            key={stage}
            stage={stage}
            devices={stageDevices}
            rankBase={stage * stageDevices}
            devMatrix={devMatrix}
            fold={fold}
            layout={geometry}
            groups={held?.groups}
            primary={held === stageGeometries[0]}
            colorIndex={cells.colorIndex}
            pointedKey={cells.pointedKey}
            selectedRank={cells.selectedRank}
            x={column * (geometry.blockWidth + geometry.blockGap)}
            y={headerHeight + line * (geometry.blockHeight + geometry.blockGap)}
            onPoint={cells.onPoint}
            onSelect={cells.onSelect}
            describeRank={cells.describeRank}
          />
        )
      })}
    </svg>
  )
}
