import type { ClusterDescription, ClusterProbe } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import type { ClusterPush } from '../../store/cluster-slice'
import { ProgressBar } from '../run/ProgressBar'

const OUTCOME_WORDS: Record<string, string> = {
  sent: 'sent, verified',
  resumed: 'resumed, verified',
  'already-verified': 'already there, verified',
  'resent-after-mismatch': 'differed on the node, sent again, verified',
  pending: 'not sent',
  failed: 'failed'
}

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
                {server.ssh?.user ?? '?'}@{server.ssh?.host ?? '(no address)'} →{' '}
                {server.ssh?.remoteFolder ?? '(no remote folder)'}
              </div>
              <ProgressBar
                fraction={fraction}
                label={`${server.id} push progress`}
                tone={state === 'done' ? 'good' : state === 'failed' ? 'bad' : 'active'}
              />
              <div className="muted">
                {formatBytes(sent)} sent of {formatBytes(total)} · {server.files!.length} files
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
              {npus?.npus && (
                <div className="npu-bars" data-testid="npu-bars">
                  {npus.npus.map((npu) => {
                    const used = npu.usedBytes ?? 0
                    return (
                      <div
                        key={npu.deviceId}
                        className="npu-bar"
                        title={`NPU ${npu.deviceId}: ${formatBytes(npu.totalBytes)} ${npu.memoryKind}, ${formatBytes(npu.totalBytes - used)} free`}
                      >
                        <span className="npu-name">NPU {npu.deviceId}</span>
                        <ProgressBar
                          fraction={used / npu.totalBytes}
                          label={`NPU ${npu.deviceId} memory in use`}
                          tone="muted"
                        />
                        <span className="muted">{formatBytes(npu.totalBytes - used)} free</span>
                      </div>
                    )
                  })}
                </div>
              )}
              {npus && !npus.npus && <div className="muted">{npus.message}</div>}
            </section>
          )
        })}
    </div>
  )
}
