import { useMemo, type RefObject } from 'react'
import { axisLabel } from '../../viz/layout/describe-layout'
import { canvasCellSize, indexCells } from './canvas-grid'
import { CanvasStage } from './CanvasStage'
import type { MatrixDrawingProps } from './MatrixDrawing'

type CanvasMatrixProps = Omit<MatrixDrawingProps, 'svgRef' | 'describeRank'> & {
  /** The stages' canvases and titles: what Export saves. */
  stagesRef: RefObject<HTMLDivElement | null>
}

/**
 * The device matrix of a large cluster, each stage on a canvas: tiles over the leading axes, each tile folded
 * as the SVG grid folds its axes, in the same slice colours.
 */
export function CanvasMatrix({
  width,
  devMatrix,
  layout,
  stageCount,
  stageDevices,
  stageGeometries,
  stagesRef,
  ...cells
}: CanvasMatrixProps) {
  const index = useMemo(() => indexCells(devMatrix, stageDevices), [devMatrix, stageDevices])
  const direction = (axis: number) =>
    index.tileAxes.includes(axis)
      ? 'tiles'
      : index.rowAxes.includes(axis)
        ? 'rows ↓'
        : index.colAxes.includes(axis)
          ? 'columns →'
          : 'not drawn'
  const perLine = Math.max(1, Math.min(stageCount, Math.floor(width / (index.cols + 24))))
  const cell = canvasCellSize(index.rows, index.cols, Math.max(1, width / perLine - 24))
  return (
    <div className="canvas-matrix" role="group" aria-label="Device matrix" data-testid="canvas-matrix">
      <ul className="axis-captions">
        {devMatrix.map((_, axis) => (
          <li key={axis}>
            <span className="axis-direction">{direction(axis)}</span> {axisLabel(layout, axis)}
          </li>
        ))}
      </ul>
      <div className="canvas-stages" ref={stagesRef}>
        {Array.from({ length: stageCount }, (_, stage) => {
          const held = stageGeometries.find((s) => s.row.stage === stage)
          return (
            <CanvasStage
              key={stage}
              stage={stage}
              devices={stageDevices}
              rankBase={stage * stageDevices}
              index={index}
              cell={cell}
              groups={held?.groups}
              primary={held === stageGeometries[0]}
              {...cells}
            />
          )
        })}
      </div>
    </div>
  )
}
