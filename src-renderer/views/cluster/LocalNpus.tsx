import type { ClusterProbe } from '../../../src-main/api/contract'
import { NpuBars } from './NpuBars'

const LIBRARY = { dcmi: 'libdcmi.so', acl: 'libascendcl.so' } as const

/** The NPUs of the machine Shardscope runs on, read from its driver (shown when the probe asked it). */
export function LocalNpus({ local }: { local: NonNullable<ClusterProbe['local']> }) {
  return (
    <section className="panel local-npus" data-testid="local-npus" data-status={local.status}>
      <header className="server-card-head">
        <h2>This machine</h2>
        <span className={`status-chip ${local.status === 'ok' ? 'done' : ''}`}>
          {local.status === 'ok'
            ? `${local.npus?.length ?? 0} NPUs · driver (${LIBRARY[local.source ?? 'dcmi']})`
            : 'no NPUs found'}
        </span>
      </header>
      {local.status === 'ok' && local.npus ? (
        <NpuBars npus={local.npus} testId="local-npu-bars" />
      ) : (
        <div className="muted">{local.message}</div>
      )}
    </section>
  )
}
