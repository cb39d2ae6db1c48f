import { useMemo, useRef, useState } from 'react'
import { formatMap, formatShape } from '../../app/format'
import { useSelectedRow } from '../../app/selectors'
import { useAppStore } from '../../store/app-store'
import { SelectionEmptyState } from '../../viz/layout/SelectionEmptyState'
import { sliceTint } from '../../viz/layout/slice-colors'
import { ParamCombobox } from '../../viz/ParamCombobox'
import { useElementWidth } from '../../viz/use-element-width'
import { stageDevicesOf, useTiedGeometries } from '../../viz/layout/use-param-geometry'
import { useShownSelection, ViewFrame } from '../../viz/ViewFrame'
import { drawsOnCanvas } from './canvas-grid'
import { CanvasMatrix } from './CanvasMatrix'
import { DeviceLegend } from './DeviceLegend'
import { MatrixDrawing } from './MatrixDrawing'
import { useRankHolders } from './rank-holders'
import './device-matrix.css'

/** The selected parameter's device grid: who holds which slice, stage by stage. */
export function DeviceMatrixView() {
  const row = useSelectedRow()
  const strategy = useAppStore((s) => s.strategy)
  const selectedRank = useShownSelection(useAppStore((s) => s.selectedRank))
  const selectRank = useAppStore((s) => s.selectRank)
  const selectParam = useAppStore((s) => s.selectParam)
  const selectedParam = useAppStore((s) => s.selectedParam)
  const svgRef = useRef<SVGSVGElement>(null)
  const stagesRef = useRef<HTMLDivElement>(null)
  const [bodyRef, width] = useElementWidth()
  const [hovered, setHovered] = useState<number>()
  const stageGeometries = useTiedGeometries(row)
  const holders = useRankHolders(stageGeometries)
  const shownHover = useShownSelection(hovered)
  const pointed = shownHover ?? selectedRank
  const pointedKey = pointed === undefined ? undefined : holders.keyOf(pointed)

  const stageCount = useMemo(
    () => Math.max(strategy?.stageCount ?? 1, ...(row?.stages ?? []).map((s) => s + 1)),
    [strategy, row]
  )

  const picker = strategy && (
    <div className="view-toolbar">
      <ParamCombobox rows={strategy.params} value={selectedParam} onChange={selectParam} />
    </div>
  )

  if (!row || !strategy) {
    return (
      <ViewFrame title="Device matrix" testId="view-device-matrix">
        {picker}
        <SelectionEmptyState />
      </ViewFrame>
    )
  }

  const main = stageGeometries[0]!
  const stageDevices = stageDevicesOf(strategy.stageDevices, row)
  const onCanvas = drawsOnCanvas(stageCount, stageDevices)
  // What either drawing shows: the SVG grid for a few thousand devices, the canvas beyond.
  const drawn = main.result.ok
    ? {
        width,
        devMatrix: row.devMatrix,
        layout: main.result.layout,
        stageCount,
        stageDevices,
        stageGeometries,
        colorIndex: holders.colorIndex,
        pointedKey,
        selectedRank,
        onPoint: setHovered,
        onSelect: selectRank
      }
    : undefined
  // The count of slices leads in bold; how they come about follows in plain text.
  const [headline, ...details] = holders.summary.split('; ')
  const subtitle = (
    <>
      <span className="mono">{row.name}</span> · stage {row.stage}
      {row.stages.length > 1 && ` (tied: stages ${row.stages.join(', ')})`} · device matrix{' '}
      {formatShape(row.devMatrix)}, tensor map {formatMap(row.tensorMap)}
    </>
  )
  return (
    <ViewFrame
      title="Device matrix"
      subtitle={subtitle}
      drawing={
        // Export draws the SVG grid, or the canvases of a grid of thousands of devices, titles and legend alike.
        main.result.ok
          ? {
              ...(onCanvas ? { canvasRef: stagesRef } : { svgRef }),
              title: `Device matrix · ${row.name}`,
              subtitle: `stage ${row.stage} · device matrix ${formatShape(row.devMatrix)} · tensor map ${formatMap(row.tensorMap)} · ${holders.summary}`,
              fileName: `device-matrix-${row.name}-stage${row.stage}`,
              legend: holders.legend
                .slice(0, 16)
                .map((l) => ({ color: sliceTint(l.colorIndex), label: l.text }))
            }
          : undefined
      }
      testId="view-device-matrix"
    >
      {picker}
      {!main.result.ok ? (
        <div className="panel">
          <h2>This layout cannot be drawn</h2>
          <ul className="problems">
            <li className="error">{main.result.error}</li>
          </ul>
        </div>
      ) : (
        <div className="panel device-panel" ref={bodyRef}>
          <p className="device-summary" data-testid="device-summary">
            <strong>{headline}</strong>
            {details.map((part) => `; ${part}`).join('')}
          </p>
          {!main.result.shapeKnown && (
            <p className="device-note" data-testid="shape-unknown">
              The shape is unknown (a strategy without its checkpoint folder): slices are named by part, e.g.
              [2/4, 1/1] is the second of four parts of dim 0 and all of dim 1.
            </p>
          )}
          <p className="device-detail" data-testid="device-detail">
            {pointed === undefined ? (
              <span className="muted">Point at or click a rank to see which ranks hold the same slice.</span>
            ) : (
              holders.describe(pointed)
            )}
          </p>
          <div className="device-scroll">
            {onCanvas ? (
              <CanvasMatrix {...drawn!} stagesRef={stagesRef} />
            ) : (
              <MatrixDrawing {...drawn!} svgRef={svgRef} describeRank={holders.describe} />
            )}
          </div>
          <DeviceLegend slices={holders.legend} />
        </div>
      )}
    </ViewFrame>
  )
}
