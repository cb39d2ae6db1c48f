import type { PlanSummary } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
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
      <table className="data plan-ranks">
        <thead>
          <tr>
            <th className="num">Rank</th>
            <th className="num">Stage</th>
            <th>Output file</th>
            <th>Reads source ranks</th>
            <th className="num">Params</th>
            <th className="num">Bytes read</th>
            <th className="num">Bytes written</th>
            <th className="num" title="The largest buffer held at once while writing this rank">
              Peak memory
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.ranks.map((rank) => (
            <tr
              key={rank.rank}
              data-testid="plan-rank"
              data-rank={rank.rank}
              className={rank.rank === selectedRank ? 'selected' : undefined}
              aria-selected={rank.rank === selectedRank}
              onClick={() => onSelectRank(rank.rank)}
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
            <td colSpan={4}>
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
