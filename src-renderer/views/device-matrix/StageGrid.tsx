import type { SliceGroups } from '../../viz/layout/slice-groups'
import { AxisTicks } from './AxisTicks'
import { DeviceCell } from './DeviceCell'
import type { GridFold } from './grid-fold'
import type { MatrixLayout } from './matrix-layout'

interface StageGridProps {
  stage: number
  devices: number
  /** Global rank of local rank 0. */
  rankBase: number
  devMatrix: readonly number[]
  fold: GridFold
  layout: MatrixLayout
  /** Present for stages holding the parameter; absent ones are drawn dimmed. */
  groups?: SliceGroups
  /** The stage of the selected row (a tied parameter's other stages hold copies). */
  primary: boolean
  colorIndex: Map<string, number>
  pointedKey?: string
  selectedRank?: number
  x: number
  y: number
  onPoint(rank: number | undefined): void
  onSelect(rank: number): void
  describeRank(rank: number): string
}

/** One pipeline stage's devices as a grid of rank cells, with its axis ticks. */
export function StageGrid(props: StageGridProps) {
  const {
    stage,
    devices,
    rankBase,
    devMatrix,
    fold,
    layout,
    groups,
    primary,
    colorIndex,
    pointedKey,
    selectedRank
  } = props
  const active = !!groups
  const last = rankBase + devices - 1
  return (
    <g
      transform={`translate(${props.x},${props.y})`}
      data-testid="stage-block"
      data-stage={stage}
      data-active={active}
      className={active ? 'stage-block' : 'stage-block dimmed'}
    >
      <rect className="stage-frame" width={layout.blockWidth} height={layout.blockHeight} rx={8} />
      <text className="stage-title" x={layout.padding} y={20}>
        Stage {stage}
        <tspan className="stage-ranks" dx={8}>
          ranks {rankBase}–{last}
        </tspan>
      </text>
      <text className={active ? 'stage-status' : 'stage-status dimmed'} x={layout.padding} y={36}>
        {active ? (primary ? 'holds this layout' : 'holds a tied copy') : 'not in this stage'}
      </text>
      <AxisTicks devMatrix={devMatrix} fold={fold} layout={layout} />
      {Array.from({ length: devices }, (_, local) => {
        const rank = rankBase + local
        const { row, col } = fold.cellOf(local)
        const stored = groups?.storedOfLocal[local]
        return (
          <DeviceCell
            key={local}
            rank={rank}
            x={layout.gridX + layout.colX[col]!}
            y={layout.gridY + layout.rowY[row]!}
            size={layout.cell}
            colorIndex={stored ? (colorIndex.get(stored.key) ?? 0) : undefined}
            holds={!!stored && stored.key === pointedKey}
            faded={active && pointedKey !== undefined && stored?.key !== pointedKey}
            selected={rank === selectedRank}
            label={
              active ? props.describeRank(rank) : `Rank ${rank}: stage ${stage} does not hold this parameter`
            }
            {...(active ? { onPoint: props.onPoint, onSelect: props.onSelect } : {})}
          />
        )
      })}
    </g>
  )
}
