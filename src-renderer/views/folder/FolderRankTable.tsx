import { formatBytes } from '../../app/format'
import { stageColor } from '../../viz/palette'
import { stageInk } from '../../viz/stage-ink'
import '../../viz/stage.css'
import { rowKeys } from '../../viz/use-row-keys'
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
    <table className="data folder-ranks" role="grid" aria-label="Rank files: choose one to highlight it">
      <thead>
        <tr>
          <th scope="col" className="num">
            Rank
          </th>
          {showStage && <th scope="col">Stage</th>}
          <th scope="col">File</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col" className="num">
            Tensors
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr
            key={row.rank}
            className={`${row.missing ? 'missing' : ''}${row.rank === selectedRank ? ' selected' : ''}`}
            data-testid="folder-rank"
            data-rank={row.rank}
            data-missing={row.missing || undefined}
            aria-selected={row.rank === selectedRank}
            tabIndex={
              row.rank === selectedRank || (index === 0 && !rows.some((r) => r.rank === selectedRank))
                ? 0
                : -1
            }
            onClick={() => onSelectRank(row.rank)}
            onKeyDown={rowKeys(rows, index, (r) => onSelectRank(r.rank))}
          >
            <td className="num">{row.rank}</td>
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
