import type { ClusterWorkerProgress } from '../../../../src-main/api/contract'
import { formatBytes, formatDuration, listWords } from '../../../app/format'
import { ProgressBar } from '../ProgressBar'

const TONE = {
  planning: 'muted',
  running: 'active',
  complete: 'good',
  failed: 'bad',
  cancelled: 'muted'
} as const

/** One row per worker, from its progress file in the destination: state, share, bytes, rate. */
export function WorkerProgressTable({ workers, count }: { workers: ClusterWorkerProgress[]; count: number }) {
  const missing = count - workers.length
  return (
    <section className="panel worker-progress" aria-label="Worker progress">
      <h2>Workers</h2>
      <table className="worker-table">
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Where</th>
            <th scope="col">Destination ranks</th>
            <th scope="col">State</th>
            <th scope="col">Written</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => {
            const fraction = w.bytesTotal > 0 ? w.bytesDone / w.bytesTotal : w.state === 'complete' ? 1 : 0
            return (
              <tr key={w.index} data-testid="worker-row" data-state={w.state}>
                <td>
                  {w.index} of {w.count}
                </td>
                <td className="mono">{w.server ? `${w.server} (${w.host})` : w.host}</td>
                <td>{w.ranks.length > 0 ? listWords(w.ranks) : 'not yet planned'}</td>
                <td>
                  <span className={`rank-state ${w.state === 'complete' ? 'done' : w.state}`}>{w.state}</span>
                  {w.message && <div className="muted worker-message">{w.message}</div>}
                </td>
                <td>
                  {formatBytes(w.bytesDone)} of {formatBytes(w.bytesTotal)}
                  {w.state === 'running' && w.bytesPerSecond > 0 && (
                    <div className="muted">
                      {formatBytes(w.bytesPerSecond)}/s
                      {w.etaSeconds !== undefined && `, ${formatDuration(w.etaSeconds)} left`}
                    </div>
                  )}
                  {w.ranksSkipped > 0 && <div className="muted">{w.ranksSkipped} kept from before</div>}
                </td>
                <td className="worker-bar">
                  <ProgressBar fraction={fraction} label={`Worker ${w.index}`} tone={TONE[w.state]} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {missing > 0 && (
        <p className="muted" data-testid="workers-unseen">
          {missing} of {count} workers have no progress file here yet: not started, or writing to a folder
          this machine does not see.
        </p>
      )}
    </section>
  )
}
