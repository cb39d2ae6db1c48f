import type { PlanSummary } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { rowKeys } from '../../viz/use-row-keys'
import { rankRanges } from './rank-ranges'

interface RankTableProps {
  plan: PlanSummary
  selectedRank: number
  onSelectRank(rank: number): void
}

/** What each destination rank will write, read and hold in memory. */
export function RankTable({ plan, selectedRank, onSelectRank }: RankTableProps) {
  const sum = (key: 'params' | 'bytesRead' | 'bytesWritten') => plan.ranks.reduce((s, r) => s + r[key], 0)
  const peak = plan.ranks.reduce((m, r) => Math.max(m, r.peakBuffer), 0)
  return (
    <div className="table-scroll">
      <table className="data plan-ranks" role="grid" aria-label="Destination ranks: choose one to inspect">
        <thead>
          <tr>
            <th scope="col" className="num">
              Rank
            </th>
            <th scope="col" className="num">
              Stage
            </th>
            <th scope="col">Output file</th>
            <th scope="col">Reads source ranks</th>
            <th scope="col" className="num">
              Params
            </th>
            <th scope="col" className="num">
              Bytes read
            </th>
            <th scope="col" className="num">
              Bytes written
            </th>
            <th scope="col" className="num" title="The largest buffer held at once while writing this rank">
              Peak memory
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.ranks.map((rank, index) => (
            <tr
              key={rank.rank}
              data-testid="plan-rank"
              data-rank={rank.rank}
              className={rank.rank === selectedRank ? 'selected' : undefined}
              aria-selected={rank.rank === selectedRank}
              tabIndex={
                rank.rank === selectedRank ||
                (index === 0 && !plan.ranks.some((r) => r.rank === selectedRank))
                  ? 0
                  : -1
              }
              onClick={() => onSelectRank(rank.rank)}
              onKeyDown={rowKeys(plan.ranks, index, (r) => onSelectRank(r.rank))}
            >
              <td className="num">{rank.rank}</td>
              <td className="num">{rank.stage}</td>
              <td className="mono" title={rank.output}>
                {rank.output}
              </td>
              <td className="mono" title={rank.sourceRanks.join(', ')}>
                {rankRanges(rank.sourceRanks)}
              </td>
              <td className="num">{rank.params.toLocaleString()}</td>
              <td className="num">{formatBytes(rank.bytesRead)}</td>
              <td className="num">{formatBytes(rank.bytesWritten)}</td>
              <td className="num">{formatBytes(rank.peakBuffer)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="totals" data-testid="plan-totals">
            <td colSpan={4} role="rowheader">
              Total · {plan.ranks.length} output{plan.ranks.length === 1 ? '' : 's'}
            </td>
            <td className="num">{sum('params').toLocaleString()}</td>
            <td className="num">{formatBytes(sum('bytesRead'))}</td>
            <td className="num">{formatBytes(sum('bytesWritten'))}</td>
            <td className="num" title="The largest peak of any one rank">
              {formatBytes(peak)} max
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  )
}
