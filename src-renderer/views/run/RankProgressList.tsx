import type { JobProgress } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { RANK_STATE_WORDS } from './job-status'
import { ProgressBar } from './ProgressBar'

type RankProgress = JobProgress['ranks'][number]

const TONE: Record<string, 'active' | 'good' | 'bad' | 'muted'> = {
  done: 'good',
  skipped: 'good',
  failed: 'bad',
  cancelled: 'muted',
  queued: 'muted'
}

/** One bar per destination rank. */
export function RankProgressList({ ranks }: { ranks: RankProgress[] }) {
  return (
    <section className="panel" aria-label="Ranks">
      <h2>Ranks</h2>
      <ul className="rank-progress-list">
        {ranks.map((rank) => {
          const skipped = rank.state === 'skipped'
          // A stopped output's bytes are deleted with it: showing them as progress would promise what is gone.
          const discarded = rank.state === 'cancelled' || rank.state === 'failed'
          const fraction =
            skipped || rank.state === 'done'
              ? 1
              : discarded || rank.bytesTotal <= 0
                ? 0
                : rank.bytesDone / rank.bytesTotal
          return (
            <li
              key={rank.rank}
              className="rank-progress"
              data-testid="rank-progress"
              data-rank={rank.rank}
              data-state={rank.state}
            >
              <span className="rank-name">rank {rank.rank}</span>
              <span className="rank-output mono" title={rank.output}>
                {rank.output}
              </span>
              <ProgressBar
                fraction={fraction}
                label={`Rank ${rank.rank}`}
                tone={TONE[rank.state] ?? 'active'}
              />
              <span className="rank-numbers" data-testid="rank-numbers">
                {skipped
                  ? formatBytes(rank.bytesTotal)
                  : discarded
                    ? `none of ${formatBytes(rank.bytesTotal)} kept`
                    : `${formatBytes(rank.bytesDone)} of ${formatBytes(rank.bytesTotal)}`}{' '}
                · {rank.paramsDone}/{rank.paramsTotal} params
              </span>
              <span className={`rank-state ${rank.state}`}>{RANK_STATE_WORDS[rank.state] ?? rank.state}</span>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
