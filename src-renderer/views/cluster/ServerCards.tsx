import type { ClusterDescription, ClusterProbe } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import type { ClusterPush } from '../../store/cluster-slice'
import { ProgressBar } from '../run/ProgressBar'
import { NpuBars } from './NpuBars'

const OUTCOME_WORDS: Record<string, string> = {
  sent: 'sent, verified',
  resumed: 'resumed, verified',
  'already-verified': 'already there, verified',
  'resent-after-mismatch': 'differed on the node, sent again, verified',
  pending: 'not sent',
  failed: 'failed'
}

/** A server's file table starts folded past this many files (a big cluster's cards stay short). */
const FILES_SHOWN_OPEN = 8

const countVerified = (files: { outcome: string }[]) =>
  files.filter((f) => f.outcome !== 'pending' && f.outcome !== 'failed').length

/** One card per server: its file set, the push's progress and per-file verification, the NPU memory bars. */
export function ServerCards({
  cluster,
  probe,
  push
}: {
  cluster: ClusterDescription
  probe?: ClusterProbe
  push?: ClusterPush
}) {
  return (
    <div className="server-cards">
      {cluster.servers
        .filter((s) => s.files)
        .map((server) => {
          const live = push?.servers[server.id]
          const done = push?.result?.servers.find((s) => s.server === server.id)
          const state = done?.state ?? live?.state ?? 'not pushed'
          const sent = done?.bytesSent ?? live?.bytesSent ?? 0
          const total = server.bytes ?? 0
          const npus = probe?.probes.find((p) => p.server === server.id)
          const fraction = state === 'done' ? 1 : total > 0 ? sent / total : 0
          return (
            <section
              key={server.id}
              className="panel server-card"
              data-testid="server-card"
              data-server={server.id}
              data-state={state}
            >
              <header className="server-card-head">
                <h2>{server.id}</h2>
                <span
                  className={`status-chip ${state === 'done' ? 'done' : state === 'failed' ? 'failed' : ''}`}
                  data-testid="server-state"
                >
                  {state === 'done' && done?.sharedWith
                    ? `done (shares storage with ${done.sharedWith})`
                    : state === 'done' && done?.alreadyComplete
                      ? 'done, verified'
                      : state}
                </span>
              </header>
              <div className="muted mono">
                {server.ssh
                  ? `${server.ssh.user ?? '?'}@${server.ssh.host ?? '(no address)'} → ${server.ssh.remoteFolder ?? '(no remote folder)'}`
                  : 'No SSH address yet: choose a cluster profile that lists this server.'}
              </div>
              <ProgressBar
                fraction={fraction}
                label={`${server.id} push progress`}
                tone={state === 'done' ? 'good' : state === 'failed' ? 'bad' : 'active'}
              />
              <div className="muted">
                {formatBytes(sent)} sent of {formatBytes(total)}
                {done?.hashTool ? ` · verified with ${done.hashTool}` : ''}
              </div>
              {(done?.message ?? live?.message) && (
                <div className={state === 'failed' ? 'server-error' : 'muted'}>
                  {done?.message ?? live?.message}
                </div>
              )}
              {done && done.movedAside.length > 0 && (
                <div className="muted">Moved aside (old checkpoints): {done.movedAside.join(', ')}</div>
              )}
              <details className="file-list" open={server.files!.length <= FILES_SHOWN_OPEN}>
                <summary>
                  {server.files!.length} files
                  {done ? ` · ${countVerified(done.files)} verified` : ''}
                </summary>
                <table className="data file-table">
                  <tbody>
                    {server.files!.map((file) => {
                      const result = done?.files.find((f) => f.relativePath === file.path)
                      const progress = push?.files[`${server.id}:${file.path}`]
                      return (
                        <tr key={file.path} data-testid="push-file" data-outcome={result?.outcome ?? ''}>
                          <td className="mono">{file.path}</td>
                          <td className="num">{formatBytes(file.size)}</td>
                          <td>
                            {result
                              ? (OUTCOME_WORDS[result.outcome] ?? result.outcome)
                              : progress
                                ? `${Math.floor((progress.bytesDone / Math.max(1, file.size)) * 100)}%`
                                : ''}
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </details>
              {npus?.npus && (
                <>
                  {npus.via === 'local' && (
                    <div className="muted">NPUs read from this machine's driver, not over SSH.</div>
                  )}
                  <NpuBars npus={npus.npus} />
                </>
              )}
              {npus && !npus.npus && <div className="muted">{npus.message}</div>}
            </section>
          )
        })}
    </div>
  )
}
