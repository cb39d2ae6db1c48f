import { useMemo, useRef, useState, type MouseEvent } from 'react'
import { formatShape } from '../../app/format'
import { useSelectedRow } from '../../app/selectors'
import { useAppStore } from '../../store/app-store'
import { elementBytes } from '../../viz/layout/param-geometry'
import { colorIndexByKey, sliceTint } from '../../viz/layout/slice-colors'
import { SelectionEmptyState } from '../../viz/layout/SelectionEmptyState'
import { useElementWidth } from '../../viz/use-element-width'
import { useParamGeometry } from '../../viz/layout/use-param-geometry'
import { ParamCombobox } from '../../viz/ParamCombobox'
import { useShownSelection, ViewFrame } from '../../viz/ViewFrame'
import { describeBlock } from './block-text'
import { BlockTooltip, type TooltipState } from './BlockTooltip'
import { PieceTable } from './PieceTable'
import { PaintedSlices } from './PaintedSlices'
import { SliceBlocks, type BlockTarget } from './SliceBlocks'
import { PAINTED_BLOCKS } from './slice-paint'
import { TensorAxes } from './TensorAxes'
import { TensorLegend } from './TensorLegend'
import { TensorSummary } from './TensorSummary'
import { foldTensor } from './tensor-fold'
import { scaleTensor } from './tensor-scale'
import './tensor-layout.css'

const MARGIN = { top: 40, right: 16, bottom: 12, left: 60 }
const MAX_HEIGHT = 540
/** The piece table's width and the gap before it (see .piece-table). */
const PIECE_TABLE_WIDTH = 440

/** The selected parameter's full shape, cut into the blocks each rank holds. */
export function TensorLayoutView() {
  const row = useSelectedRow()
  const selectedRank = useShownSelection(useAppStore((s) => s.selectedRank))
  const selectRank = useAppStore((s) => s.selectRank)
  const strategy = useAppStore((s) => s.strategy)
  const selectedParam = useAppStore((s) => s.selectedParam)
  const selectParam = useAppStore((s) => s.selectParam)
  const stage = useParamGeometry(row)
  const svgRef = useRef<SVGSVGElement>(null)
  const [bodyRef, width] = useElementWidth()
  const [tooltip, setTooltip] = useState<TooltipState>()

  const drawing = useMemo(() => {
    if (!stage?.result.ok || !stage.groups) return undefined
    const { shape } = stage.result
    const fold = foldTensor(shape, stage.result.shapeKnown)
    const piece = fold.rectOf(stage.groups.stored[0]!.box)
    // Wide panels keep the piece table beside the drawing; narrow ones let it wrap below.
    const tableWidth = width >= 900 ? PIECE_TABLE_WIDTH : 0
    const space = {
      width: Math.max(200, width - tableWidth - MARGIN.left - MARGIN.right),
      height: MAX_HEIGHT
    }
    const scale = scaleTensor(fold, { rows: piece.h, cols: piece.w }, space)
    const colorIndex = colorIndexByKey(stage.groups.stored.map((s) => s.key))
    return { fold, scale, colorIndex }
  }, [stage, width])

  const picker = strategy && (
    <div className="view-toolbar">
      <ParamCombobox rows={strategy.params} value={selectedParam} onChange={selectParam} />
    </div>
  )

  if (!row || !stage) {
    return (
      <ViewFrame title="Tensor layout" testId="view-tensor-layout">
        {picker}
        <SelectionEmptyState />
      </ViewFrame>
    )
  }

  const result = stage.result
  const tied = row.stages.filter((s) => s !== row.stage)
  const subtitle = (
    <>
      <span className="mono">{row.name}</span> · stage {row.stage} ·{' '}
      {row.shape ? formatShape(row.shape) : 'shape unknown'}
      {row.dtype && ` ${row.dtype}`}
      {drawing && ` · ${drawing.fold.explanation}`}
      {drawing?.scale.compressed && result.ok && result.shapeKnown && ' (aspect compressed)'}
    </>
  )

  if (!result.ok || !drawing || !stage.groups) {
    return (
      <ViewFrame title="Tensor layout" subtitle={subtitle} testId="view-tensor-layout">
        {picker}
        <div className="panel">
          <h2>This layout cannot be drawn</h2>
          <ul className="problems">
            <li className="error">{result.ok ? 'No slices.' : result.error}</li>
          </ul>
        </div>
      </ViewFrame>
    )
  }

  const groups = stage.groups
  const optShards = result.layout.optShards
  const context = { row, shape: result.shape, shapeKnown: result.shapeKnown, optShards }
  const describe = (target: BlockTarget) => describeBlock(target, context).join('\n')
  const onPoint = (target: BlockTarget | undefined, event?: MouseEvent) =>
    setTooltip(
      target && event
        ? { x: event.clientX, y: event.clientY, lines: describeBlock(target, context) }
        : undefined
    )
  const { fold, scale, colorIndex } = drawing
  const blockCount = optShards > 1 ? groups.stored.length : groups.model.length
  const blockProps = {
    groups,
    fold,
    scale,
    colorIndex,
    selectedRank,
    optimizerSharded: optShards > 1,
    onPoint,
    onSelect: selectRank
  }
  return (
    <ViewFrame
      title="Tensor layout"
      subtitle={subtitle}
      drawing={{
        svgRef,
        title: `Tensor layout · ${row.name}`,
        subtitle: `stage ${row.stage} · ${row.shape ? formatShape(row.shape) : 'shape unknown'}${row.dtype ? ` ${row.dtype}` : ''} · ${fold.explanation}`,
        fileName: `tensor-layout-${row.name}-stage${row.stage}`,
        legend: [
          { color: 'var(--ink-2)', label: 'model-parallel slice', outline: true },
          ...(optShards > 1 ? [{ color: sliceTint(0), label: 'optimizer shard (what a rank stores)' }] : []),
          { color: sliceTint(1), label: '×n: held by n ranks' }
        ]
      }}
      testId="view-tensor-layout"
    >
      {picker}
      <div className="panel tensor-panel" ref={bodyRef}>
        <TensorSummary groups={groups} optShards={optShards} tied={tied} shapeKnown={result.shapeKnown} />
        <div className="tensor-main">
          <div className="tensor-scroll">
            <svg
              ref={svgRef}
              className="tensor-svg"
              width={scale.width + MARGIN.left + MARGIN.right}
              height={scale.height + MARGIN.top + MARGIN.bottom}
              role="img"
              aria-label={`Tensor layout of ${row.name}`}
            >
              <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
                <TensorAxes fold={fold} scale={scale} pieces={groups.stored} shapeKnown={result.shapeKnown} />
                {blockCount > PAINTED_BLOCKS ? (
                  <PaintedSlices {...blockProps} />
                ) : (
                  <SliceBlocks {...blockProps} describe={describe} />
                )}
              </g>
            </svg>
          </div>
          <PieceTable
            groups={groups}
            colorIndex={colorIndex}
            bytesPerElement={elementBytes(row)}
            shape={result.shape}
            shapeKnown={result.shapeKnown}
            selectedRank={selectedRank}
            onSelect={selectRank}
          />
        </div>
        <TensorLegend
          optimizerSharded={optShards > 1}
          selectedRank={selectedRank}
          selectedHere={selectedRank !== undefined && !!groups.storedOfLocal[selectedRank - groups.rankBase]}
        />
      </div>
      <BlockTooltip tooltip={tooltip} />
    </ViewFrame>
  )
}
