import { formatBytes } from '../../app/format'
import { stageColor } from '../../viz/palette'
import { stageInk } from '../../viz/stage-ink'
import '../../viz/stage.css'
import type { FolderRow } from './folder-model'

interface FolderRankTableProps {
  rows: FolderRow[]
  selectedRank?: number
  onSelectRank(rank: number): void
}

/** One row per rank file, missing ranks included and marked. */
export function FolderRankTable({ rows, selectedRank, onSelectRank }: FolderRankTableProps) {
  const showStage = rows.some((r) => r.stage !== undefined)
  return (
    <table className="data folder-ranks">
      <thead>
        <tr>
          <th className="num">Rank</th>
          {showStage && <th>Stage</th>}
          <th>File</th>
          <th className="num">Size</th>
          <th className="num">Tensors</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.rank}
            className={`${row.missing ? 'missing' : ''}${row.rank === selectedRank ? ' selected' : ''}`}
            data-testid="folder-rank"
            data-rank={row.rank}
            data-missing={row.missing || undefined}
            aria-selected={row.rank === selectedRank}
            onClick={() => onSelectRank(row.rank)}
          >
            <td className="num">
              <button type="button" className="rank-select" aria-label={`Select rank ${row.rank}`}>
                {row.rank}
              </button>
            </td>
            {showStage && (
              <td>
                {row.stage !== undefined && (
                  <span
                    className="stage-pill"
                    style={{ background: stageColor(row.stage), color: stageInk(row.stage) }}
                  >
                    stage {row.stage}
                  </span>
                )}
              </td>
            )}
            {row.missing ? (
              <td colSpan={3} className="missing-note">
                Missing — no rank_{row.rank}/ folder or no checkpoint file in it
              </td>
            ) : (
              <>
                <td className="mono">{row.file}</td>
                <td className="num">{formatBytes(row.size ?? 0)}</td>
                <td className="num">{row.params}</td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
