import { useRef } from 'react'
import { useAppStore } from '../../store/app-store'
import { baseName } from '../../app/format'
import { exportFileName } from '../../viz/export'
import { stageColor } from '../../viz/palette'
import { EmptyState, ViewFrame } from '../../viz/ViewFrame'
import { ClusterForm } from './ClusterForm'
import { LaunchPanel } from './LaunchPanel'
import { LocalNpus } from './LocalNpus'
import { ServerCards } from './ServerCards'
import { ServerGrid } from './ServerGrid'
import { TrustDialog } from './TrustDialog'
import './cluster.css'

/** Where a converted checkpoint goes: servers × devices, file sets, NPU memory, the push, the launch lines. */
export function ClusterView() {
  const cluster = useAppStore((s) => s.cluster)
  const error = useAppStore((s) => s.clusterError)
  const probe = useAppStore((s) => s.clusterProbe)
  const probing = useAppStore((s) => s.probing)
  const push = useAppStore((s) => s.clusterPush)
  const probeCluster = useAppStore((s) => s.probeCluster)
  const startPush = useAppStore((s) => s.startPush)
  const cancelPush = useAppStore((s) => s.cancelPush)
  const trustHost = useAppStore((s) => s.trustHost)
  const svgRef = useRef<SVGSVGElement>(null)
  const answered = useAppStore((s) => s.answeredHostKeys)
  const answerHostKey = useAppStore((s) => s.answerHostKey)

  const running = push !== undefined && !push.result && !push.failure
  const stopped = push?.failure !== undefined || push?.result?.servers.some((s) => s.state !== 'done')
  const keyProblems = [
    ...(push?.result?.servers ?? []).flatMap((s) =>
      s.hostKey ? [{ server: s.server, hostKey: s.hostKey }] : []
    ),
    ...(probe?.probes ?? []).flatMap((p) => (p.hostKey ? [{ server: p.server, hostKey: p.hostKey }] : []))
  ].filter((k) => !answered.includes(`${k.server}:${k.hostKey.fingerprint}`))
  const asking = keyProblems[0]

  return (
    <ViewFrame
      title="Cluster"
      subtitle={
        cluster
          ? `${cluster.kind === 'rank-table' ? 'Rank table' : 'Hostfile'} ${cluster.layout}`
          : 'Place a converted checkpoint on the servers that will load it.'
      }
      drawing={
        cluster
          ? {
              svgRef,
              title: `Cluster · ${baseName(cluster.layout)}`,
              subtitle: `${cluster.servers.length} servers · which destination rank each device loads`,
              fileName: exportFileName('cluster', baseName(cluster.layout)),
              legend: Array.from({ length: Math.min(cluster.stageCount ?? 0, 16) }, (_, stage) => ({
                color: stageColor(stage),
                label: `pipeline stage ${stage}`
              }))
            }
          : undefined
      }
      testId="view-cluster"
      actions={
        <>
          <button type="button" onClick={() => void probeCluster()} disabled={!cluster || probing}>
            {probing ? 'Probing…' : 'Probe NPUs'}
          </button>
          {running ? (
            <button type="button" className="danger" onClick={() => void cancelPush()}>
              Cancel push
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              onClick={() => void startPush()}
              disabled={!cluster || cluster.problems.length > 0 || !cluster.servers.some((s) => s.files)}
            >
              {stopped ? 'Resume push' : push?.result ? 'Push again (verifies)' : 'Push'}
            </button>
          )}
        </>
      }
    >
      <ClusterForm />
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {!cluster ? (
        <EmptyState>
          Open a rank table (or type a hostfile path above) to see its servers and devices.
        </EmptyState>
      ) : (
        <>
          {(cluster.problems.length > 0 || cluster.warnings.length > 0) && (
            <section className="panel">
              <ul className="problems" data-testid="cluster-problems">
                {cluster.problems.map((p) => (
                  <li key={p} className="error">
                    {p}
                  </li>
                ))}
                {cluster.warnings.map((p) => (
                  <li key={p} className="warning">
                    {p}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="panel grid-panel">
            <ServerGrid cluster={cluster} svgRef={svgRef} />
            {cluster.stageCount !== undefined && (
              <div className="legend">
                Tinted by pipeline stage of the destination strategy ({cluster.stageCount} stages).
              </div>
            )}
          </section>
          {push?.failure && (
            <div
              className={`panel job-stopped ${push.failure.state}`}
              role="alert"
              data-testid="push-failure"
            >
              <div>
                <strong>{push.failure.state === 'cancelled' ? 'Push cancelled.' : 'The push failed.'}</strong>{' '}
                {push.failure.message}
              </div>
            </div>
          )}
          {push?.result && (
            <div className="panel" data-testid="push-summary">
              {push.result.servers.every((s) => s.state === 'done')
                ? `All ${push.result.servers.length} servers done; every file verified on its node.`
                : `Done: ${
                    push.result.servers
                      .filter((s) => s.state === 'done')
                      .map((s) => s.server)
                      .join(', ') || 'none'
                  }. Not done: ${push.result.servers
                    .filter((s) => s.state !== 'done')
                    .map((s) => s.server)
                    .join(', ')}. Resume sends only what is missing.`}
            </div>
          )}
          {probe && probe.fits.length > 0 && (
            <section className="panel">
              <h2>Fit check</h2>
              <ul className="problems" data-testid="fit-check">
                {probe.fits.map((f) => (
                  <li
                    key={f.rank}
                    className={f.status === 'fits' ? 'note' : f.status === 'tight' ? 'warning' : 'error'}
                  >
                    {f.message}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {probe?.local && <LocalNpus local={probe.local} />}
          <ServerCards cluster={cluster} {...(probe ? { probe } : {})} {...(push ? { push } : {})} />
          {cluster.launch && <LaunchPanel launch={cluster.launch} />}
        </>
      )}
      {asking && (
        <TrustDialog
          server={asking.server}
          hostKey={asking.hostKey}
          onClose={() => answerHostKey(asking.server, asking.hostKey.fingerprint)}
          onTrust={() =>
            void trustHost(asking.server, asking.hostKey.fingerprint, asking.hostKey.jump === true)
          }
        />
      )}
    </ViewFrame>
  )
}
