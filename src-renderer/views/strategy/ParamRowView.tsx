import { memo } from 'react'
import type { ParamRow } from '../../../src-main/api/contract'
import { formatBytes, formatMap, formatShape } from '../../app/format'

interface ParamRowViewProps {
  row: ParamRow
  index: number
  top: number
  selected: boolean
  onSelect(index: number): void
  onOpen(index: number): void
}

function optShardText(row: ParamRow): string {
  if (row.optShardSize === 0) return '—'
  return `${row.optShardSize === -1 ? 'all' : row.optShardSize} / ${row.optShardStep}`
}

/** One virtual row, absolutely placed at `top` inside the scrolling body. */
export const ParamRowView = memo(function ParamRowView({
  row,
  index,
  top,
  selected,
  onSelect,
  onOpen
}: ParamRowViewProps) {
  const tiedWith = row.stages.filter((s) => s !== row.stage)
  return (
    <div
      id={`param-row-${index}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`param-row param-cols${selected ? ' selected' : ''}`}
      style={{ top }}
      data-testid="param-row"
      data-name={row.name}
      data-stage={row.stage}
      onClick={() => onSelect(index)}
      onDoubleClick={() => onOpen(index)}
    >
      <div role="gridcell" className="num">
        {row.stage}
      </div>
      <div role="gridcell" className="name" title={row.name}>
        <span className="name-text">{row.name}</span>
        {tiedWith.length > 0 && (
          <span className="shared-marker" title={`Tied parameter: stage ${tiedWith.join(', ')} holds it too`}>
            shared
          </span>
        )}
      </div>
      <div role="gridcell" className="mono">
        {formatShape(row.shape)}
      </div>
      <div role="gridcell">{row.dtype ?? '—'}</div>
      <div role="gridcell" className="mono">
        {formatShape(row.devMatrix)}
      </div>
      <div role="gridcell" className="mono">
        {formatMap(row.tensorMap)}
      </div>
      <div role="gridcell" className="mono">
        {formatShape(row.sliceShape)}
      </div>
      <div
        role="gridcell"
        className="mono"
        title={row.optShardSize === -1 ? 'Sharded over the whole repeated group' : undefined}
      >
        {optShardText(row)}
      </div>
      <div role="gridcell" className="num">
        {row.bytesPerRank === undefined ? '—' : formatBytes(row.bytesPerRank)}
      </div>
    </div>
  )
})
