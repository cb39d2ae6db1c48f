import { boxVolume } from '../../../src-main/engine/layout/box'
import { formatBytes, formatShape } from '../../app/format'
import type { SliceGroups } from '../../viz/layout/slice-groups'
import { partsOf } from '../../viz/layout/describe-layout'
import { sliceColor, sliceTint } from '../../viz/layout/slice-colors'

const SHOWN = 256

interface PieceTableProps {
  groups: SliceGroups
  colorIndex: Map<string, number>
  bytesPerElement?: number
  /** The real shape, or the unit stand-in when `shapeKnown` is false. */
  shape: number[]
  shapeKnown: boolean
  selectedRank?: number
  onSelect(rank: number): void
}

/** The stored pieces as a list: the drawing's numbers, and a keyboard way to pick a rank. */
export function PieceTable({
  groups,
  colorIndex,
  bytesPerElement,
  shape,
  shapeKnown,
  selectedRank,
  onSelect
}: PieceTableProps) {
  const pieces = groups.stored
  return (
    <div className="piece-table">
      <table className="data">
        <thead>
          <tr>
            <th>Ranks</th>
            {shapeKnown ? (
              <>
                <th>Offset</th>
                <th>Extent</th>
              </>
            ) : (
              <th title="Which part of each dimension, e.g. 2/4: the second of four">Part per dim</th>
            )}
            {bytesPerElement !== undefined && <th className="num">Bytes</th>}
          </tr>
        </thead>
        <tbody>
          {pieces.slice(0, SHOWN).map((piece) => {
            const index = colorIndex.get(piece.key) ?? 0
            const selected = selectedRank !== undefined && piece.ranks.includes(selectedRank)
            return (
              <tr key={piece.key} className={selected ? 'selected' : undefined}>
                <td>
                  <button
                    type="button"
                    className="piece-ranks"
                    onClick={() => onSelect(piece.ranks[0]!)}
                    aria-pressed={selected}
                  >
                    <span
                      className="swatch"
                      style={{ background: sliceTint(index), borderColor: sliceColor(index) }}
                    />
                    {piece.ranks.join(', ')}
                  </button>
                </td>
                {shapeKnown ? (
                  <>
                    <td className="mono">{formatShape(piece.box.offset)}</td>
                    <td className="mono">{formatShape(piece.box.extent)}</td>
                  </>
                ) : (
                  <td className="mono">{partsOf(piece.box, shape)}</td>
                )}
                {bytesPerElement !== undefined && (
                  <td className="num">{formatBytes(boxVolume(piece.box) * bytesPerElement)}</td>
                )}
              </tr>
            )
          })}
        </tbody>
      </table>
      {pieces.length > SHOWN && <p className="muted">… and {pieces.length - SHOWN} more pieces.</p>}
    </div>
  )
}
