import { ShardscopeError } from '../errors'
import type { CommonLaunch, LaunchArtefact } from './launch-artefacts'
import { workerArguments } from './worker-command'

export interface K8sLaunch extends CommonLaunch {
  image: string
  /** The storage holding sources and destination: a PersistentVolumeClaim, or a node path (shared mount). */
  volume: { claim: string } | { hostPath: string }
  mountPath: string
  /** CPU cores per pod, as a Kubernetes quantity ("4", "500m"). */
  cpu: string
  memory?: string
  name?: string
  namespace?: string
  /** Retries of one failed index before it counts as failed (the others go on). */
  retriesPerIndex?: number
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const QUANTITY = /^\d+(\.\d+)?(m|[KMGTPE]i?)?$/

/**
 * A Kubernetes Indexed Job (batch/v1) with one pod per worker: `completions` = `parallelism` = workers, each pod
 * gets JOB_COMPLETION_INDEX from the control plane and runs `transform … --workers <n>`. CPU only (no
 * accelerator is requested), the storage volume mounted where sources and destination lie, restartPolicy
 * Never with retries per index, so a failed worker is retried alone and resumes its share. Written as JSON,
 * which kubectl and the API server take as they take YAML.
 */
export function k8sJobArtefact(launch: K8sLaunch): LaunchArtefact {
  const { assignment, spec } = launch
  if (assignment.basis === 'rank-table')
    throw new ShardscopeError(
      'BAD_INPUT',
      'A Kubernetes Indexed Job cannot put pod i on server i of a rank table; run it without --rank-table (ranks dealt by bytes, destination on the shared volume), or launch with mpirun or Slurm.'
    )
  const name = launch.name ?? 'shardscope-convert'
  // Indexed pods are named <job>-<index>: the job name must leave room for the index in a 63-character label.
  if (!DNS_LABEL.test(name) || name.length > 63 - 1 - String(assignment.count - 1).length)
    throw new ShardscopeError(
      'BAD_INPUT',
      `--name "${name}" must be a short DNS label (a-z, 0-9, -) for a Job.`
    )
  if (launch.namespace !== undefined && !DNS_LABEL.test(launch.namespace))
    throw new ShardscopeError('BAD_INPUT', `--namespace "${launch.namespace}" is not a DNS label.`)
  for (const [flag, value] of [
    ['--cpu', launch.cpu],
    ['--memory', launch.memory]
  ] as const)
    if (value !== undefined && !QUANTITY.test(value))
      throw new ShardscopeError(
        'BAD_INPUT',
        `${flag} must be a Kubernetes quantity such as 4, 500m or 16Gi, got "${value}".`
      )
  const mount = launch.mountPath.replace(/\/+$/, '') || '/'
  if (!mount.startsWith('/'))
    throw new ShardscopeError('BAD_INPUT', `--mount must be an absolute path, got "${launch.mountPath}".`)
  const inside = (path: string) => mount === '/' || path === mount || path.startsWith(`${mount}/`)
  for (const [flag, path] of [
    ['--src', spec.src],
    ['--dst', spec.dst],
    ['--src-strategy', spec.srcStrategy],
    ['--dst-strategy', spec.dstStrategy]
  ] as const)
    if (path !== undefined && !inside(path))
      throw new ShardscopeError(
        'BAD_INPUT',
        `${flag} ${path} is not under the volume's mount path ${mount}: the pods would not see it.`
      )
  if ('claim' in launch.volume && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(launch.volume.claim))
    throw new ShardscopeError(
      'BAD_INPUT',
      `--claim "${launch.volume.claim}" is not a PersistentVolumeClaim name.`
    )
  if ('hostPath' in launch.volume && !launch.volume.hostPath.startsWith('/'))
    throw new ShardscopeError(
      'BAD_INPUT',
      `--host-path must be an absolute path, got "${launch.volume.hostPath}".`
    )
  if (!launch.image || /\s/.test(launch.image))
    throw new ShardscopeError(
      'BAD_INPUT',
      '--image must name the container image that has Shardscope on its PATH.'
    )
  const labels = { 'app.kubernetes.io/name': 'shardscope', 'app.kubernetes.io/component': 'convert' }
  const quantities = { cpu: launch.cpu, ...(launch.memory ? { memory: launch.memory } : {}) }
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ...(launch.namespace ? { namespace: launch.namespace } : {}), labels },
    spec: {
      completionMode: 'Indexed',
      completions: assignment.count,
      parallelism: assignment.count,
      backoffLimitPerIndex: launch.retriesPerIndex ?? 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'shardscope',
              image: launch.image,
              command: [...launch.shardscope, ...workerArguments(spec, assignment.count)],
              resources: { requests: quantities, limits: quantities },
              volumeMounts: [{ name: 'checkpoints', mountPath: mount }]
            }
          ],
          volumes: [
            'claim' in launch.volume
              ? { name: 'checkpoints', persistentVolumeClaim: { claimName: launch.volume.claim } }
              : { name: 'checkpoints', hostPath: { path: launch.volume.hostPath, type: 'Directory' } }
          ]
        }
      }
    }
  }
  return {
    files: [{ name: 'shardscope-job.json', content: JSON.stringify(job, null, 2) + '\n' }],
    howTo: `Start it with kubectl apply -f shardscope-job.json; a pod that fails is retried alone (up to ${job.spec.backoffLimitPerIndex} times) and resumes its share.`
  }
}
