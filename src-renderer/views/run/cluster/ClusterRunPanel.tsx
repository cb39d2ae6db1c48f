import type { ClusterRunRequest } from '../../../../src-main/api/contract'
import { useAppStore } from '../../../store/app-store'
import { runOptionsOf } from '../../../store/plan-request'
import type { PathKind } from '../../../store/ui-slice'
import { PathField } from '../../planner/PathField'
import { CopyButton } from '../CopyButton'
import { LaunchResult } from './LaunchResult'
import { useClusterRun, type ClusterRunDraft } from './cluster-run-store'
import './cluster-run.css'

type Launcher = ClusterRunRequest['launcher']
const LAUNCHERS: { value: Launcher; label: string }[] = [
  { value: 'mpirun', label: 'mpirun' },
  { value: 'slurm', label: 'Slurm (sbatch)' },
  { value: 'k8s', label: 'Kubernetes Indexed Job' }
]

type Draft = ClusterRunDraft

/** `<parent of destination>/shardscope-launch-<name>`: beside the output, never inside it. */
function defaultOutDir(destination: string): string {
  const trimmed = destination.replace(/\/+$/, '')
  const cut = trimmed.lastIndexOf('/')
  return `${trimmed.slice(0, cut) || ''}/shardscope-launch-${trimmed.slice(cut + 1)}`
}

/**
 * "Run on the cluster": the planned conversion as workers under the cluster's own launcher. Writes the same
 * files as `shardscope launch`, starts mpirun or sbatch here when asked, and shows each worker's progress.
 */
export function ClusterRunPanel() {
  const plannedRequest = useAppStore((s) => s.plannedRequest)
  const plan = useAppStore((s) => s.plan)
  const planDraft = useAppStore((s) => s.planRequest)
  const run = useClusterRun()
  const { draft, setDraft: set } = run
  const launcher = draft.launcher
  if (!plan || !plannedRequest) return null
  const destination = plannedRequest.destination.folder
  // Launch files typed for another destination would mix two conversions' files in one folder.
  const outDir = draft.outDir?.destination === destination ? draft.outDir.path : defaultOutDir(destination)
  const field = (key: Exclude<keyof Draft, 'launcher' | 'outDir'>, label: string, placeholder = '') => (
    <label key={key}>
      <span>{label}</span>
      <input
        type="text"
        aria-label={label}
        value={draft[key]}
        placeholder={placeholder}
        onChange={(e) => set({ [key]: e.target.value })}
      />
    </label>
  )
  // Paths keep their file name in view and can be browsed for, as in the planner.
  const pathField = (
    key: 'layout' | 'profile' | 'outDir',
    label: string,
    browse: PathKind,
    placeholder = ''
  ) => (
    <div key={key} className={`cluster-run-path ${key}`}>
      <PathField
        label={label}
        value={key === 'outDir' ? outDir : draft[key]}
        placeholder={placeholder}
        browse={browse}
        onChange={(path) => set(key === 'outDir' ? { outDir: { destination, path } } : { [key]: path })}
      />
    </div>
  )
  const request = (start: boolean): ClusterRunRequest => {
    const text = (v: string) => (v.trim() ? v.trim() : undefined)
    const hosts = draft.hosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .map((h) => {
        const [host, slots] = h.split(':')
        return { host: host!, slots: slots ? Number(slots) : 1 }
      })
    const body: ClusterRunRequest = {
      request: plannedRequest,
      run: runOptionsOf(planDraft),
      launcher,
      workers: Number(draft.workers),
      outDir,
      start
    }
    const optional: Partial<ClusterRunRequest> = {
      layout: text(draft.layout),
      profile: text(draft.profile),
      hosts: launcher === 'mpirun' && hosts.length > 0 ? hosts : undefined,
      slurm:
        launcher === 'slurm'
          ? {
              ...(text(draft.partition) ? { partition: text(draft.partition) } : {}),
              ...(text(draft.time) ? { time: text(draft.time) } : {})
            }
          : undefined,
      k8s:
        launcher === 'k8s'
          ? {
              image: draft.image.trim(),
              mountPath: draft.mountPath.trim(),
              ...(text(draft.claim) ? { claim: text(draft.claim) } : {}),
              ...(text(draft.hostPath) ? { hostPath: text(draft.hostPath) } : {})
            }
          : undefined
    }
    for (const [key, value] of Object.entries(optional))
      if (value !== undefined) (body as unknown as Record<string, unknown>)[key] = value
    return body
  }
  const running = run.launched?.started === true && run.progress?.launcher?.state !== 'exited'
  return (
    <section className="panel cluster-run" aria-labelledby="cluster-run-title" data-testid="cluster-run">
      <h2 id="cluster-run-title">Run on the cluster</h2>
      <p className="muted">
        The planned conversion as workers under your cluster&apos;s launcher, each converting its share of the
        destination ranks where the data lives. Sources and destination must be paths the workers see.
      </p>
      <fieldset className="launcher-choice">
        <legend>Launcher</legend>
        {LAUNCHERS.map((l) => (
          <label key={l.value}>
            <input
              type="radio"
              name="launcher"
              value={l.value}
              checked={launcher === l.value}
              onChange={() => set({ launcher: l.value })}
            />
            {l.label}
          </label>
        ))}
      </fieldset>
      <div className="cluster-run-fields">
        {field('workers', 'Workers')}
        {pathField('layout', 'Rank table or hostfile (optional)', 'file', 'one worker per server')}
        {pathField('profile', 'Cluster profile (optional)', 'file', 'SSH addresses of the servers')}
        {launcher === 'mpirun' && field('hosts', 'Hosts (optional)', 'node-0:2,node-1:2 (none: here)')}
        {launcher === 'slurm' && field('partition', 'Partition (optional)')}
        {launcher === 'slurm' && field('time', 'Time limit (optional)', '2:00:00')}
        {launcher === 'k8s' && field('image', 'Image', 'registry/shardscope:tag')}
        {launcher === 'k8s' && field('claim', 'Volume claim', 'a PersistentVolumeClaim')}
        {launcher === 'k8s' && field('hostPath', 'or host path', '/mnt/shared')}
        {launcher === 'k8s' && field('mountPath', 'Mount path', 'where sources and destination are')}
        {pathField('outDir', 'Launch files folder', 'folder')}
      </div>
      <div className="cluster-run-actions">
        <button type="button" disabled={run.busy || running} onClick={() => void run.launch(request(false))}>
          Write the launch files
        </button>
        {launcher !== 'k8s' && (
          <button
            type="button"
            className="primary"
            disabled={run.busy || running}
            onClick={() => void run.launch(request(true))}
          >
            {run.progress?.launcher?.state === 'exited' && run.progress.launcher.code !== 0
              ? 'Start again (resumes)'
              : 'Write and start'}
          </button>
        )}
        {running && (
          <button type="button" className="danger" onClick={() => void run.cancel()}>
            Cancel the cluster run
          </button>
        )}
      </div>
      {run.error && (
        <div className="banner error" role="alert" data-testid="cluster-run-error">
          {run.error}
        </div>
      )}
      {run.launched && <LaunchResult launched={run.launched} progress={run.progress} />}
      {run.launched && (
        <CopyButton text={run.launched.howTo} label="Copy how to start it">
          Copy how to start it
        </CopyButton>
      )}
    </section>
  )
}
