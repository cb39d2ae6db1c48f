import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ClusterModel } from '../../engine/cluster/cluster-model'
import { serverAccess, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import { k8sJobArtefact, type K8sLaunch } from '../../engine/cluster/k8s-job'
import {
  mpirunArtefact,
  slurmArtefact,
  type CommonLaunch,
  type LaunchArtefact,
  type MpirunLaunch,
  type SlurmLaunch
} from '../../engine/cluster/launch-artefacts'
import type { LauncherKind, TransformSpec } from '../../engine/cluster/worker-command'
import {
  balancedAssignment,
  rankTableAssignment,
  type WorkerAssignment
} from '../../engine/cluster/worker-assignment'
import { ShardscopeError } from '../../engine/errors'
import type { CheckpointOpenOptions } from '../../engine/formats/checkpoint-file'
import { readStrategyInput } from '../../engine/formats/strategy/strategy-file'
import { planConversion } from '../../engine/plan/plan-transform'
import type { Problem } from '../../engine/plan/plan-types'
import { describeSide, rankCount } from '../../engine/plan/strategy-side'
import { readClusterLayout } from '../cluster/cluster-files'

export interface LaunchRequest {
  launcher: LauncherKind
  workers: number
  spec: TransformSpec
  /** How the nodes run Shardscope; this installation's `node bin/shardscope.cjs` (mpirun, Slurm) by default. */
  shardscope?: string[]
  mpirun?: Pick<MpirunLaunch, 'hosts' | 'rshAgent' | 'extraArgs' | 'allowRunAsRoot'>
  slurm?: Omit<SlurmLaunch, keyof CommonLaunch>
  k8s?: Omit<K8sLaunch, keyof CommonLaunch>
  /** For planning here: the key of encrypted sources (never written into the artefacts). */
  open?: CheckpointOpenOptions
}

export interface PreparedLaunch {
  artefact: LaunchArtefact
  assignment: WorkerAssignment
  /** Whether the conversion was planned here (the sources are visible): then the shares are known. */
  planned: boolean
  problems: Problem[]
}

/**
 * Everything `shardscope launch` and the app's "Run on the cluster" write: the assignment the workers will
 * compute (planned here when the sources are visible, so errors show before anything is queued) and the
 * launcher's artefact for it.
 */
export async function prepareLaunch(
  request: LaunchRequest,
  profile?: ClusterProfile
): Promise<PreparedLaunch> {
  const { spec, workers } = request
  const model = spec.layout ? await readClusterLayout(spec.layout.path) : undefined
  const sourceStrategy = spec.srcStrategy ? await readStrategyInput(spec.srcStrategy) : undefined
  const destinationStrategy = spec.dstStrategy ? await readStrategyInput(spec.dstStrategy) : undefined
  const planned = existsSync(spec.src)
  const problems: Problem[] = []
  let assignment: WorkerAssignment
  if (model) {
    const count = rankCount(describeSide(destinationStrategy, 'destination strategy'))
    assignment = rankTableAssignment(
      model,
      Array.from({ length: count }, (_, r) => r),
      workers
    )
  } else assignment = { basis: 'balanced', count: workers, shares: [] }
  if (planned) {
    const plan = await planConversion({
      sourceFolder: spec.src,
      destinationFolder: spec.dst,
      checkDestination: false,
      ...(sourceStrategy ? { sourceStrategy } : {}),
      ...(destinationStrategy ? { destinationStrategy } : {}),
      options: {
        format: spec.format ?? 'ckpt',
        crc: spec.crc === true,
        prefix: spec.prefix ?? 'checkpoint_',
        ...(spec.dtype !== undefined ? { dtype: spec.dtype } : {}),
        ...(spec.exclude !== undefined ? { exclude: spec.exclude } : {})
      },
      ...(request.open ? { open: request.open } : {})
    })
    problems.push(...plan.problems)
    if (!model && problems.every((p) => p.severity !== 'error'))
      assignment = balancedAssignment(
        plan.ranks.map((r) => ({
          rank: r.rank,
          bytesWritten: r.totals.bytesWritten,
          sourceRanks: r.sourceRanks
        })),
        workers
      )
  }
  const common = { spec, assignment, shardscope: request.shardscope ?? defaultShardscope(request.launcher) }
  let artefact: LaunchArtefact
  if (request.launcher === 'mpirun') {
    const hosts = model ? serverHosts(model, assignment, profile) : request.mpirun?.hosts
    artefact = mpirunArtefact({
      ...common,
      ...request.mpirun,
      ...(hosts ? { hosts } : {}),
      allowRunAsRoot: request.mpirun?.allowRunAsRoot ?? process.getuid?.() === 0
    })
  } else if (request.launcher === 'slurm') {
    const nodelist = request.slurm?.nodelist ?? (model ? slurmNames(assignment) : undefined)
    artefact = slurmArtefact({ ...common, ...request.slurm, ...(nodelist ? { nodelist } : {}) })
  } else {
    if (!request.k8s)
      throw new ShardscopeError(
        'BAD_INPUT',
        'A Kubernetes launch needs --image, the volume (--claim or --host-path) and --mount.'
      )
    artefact = k8sJobArtefact({ ...common, ...request.k8s })
  }
  return { artefact, assignment, planned, problems }
}

/** Each server's address for mpirun, in the assignment's order: the profile's SSH host, else the table's. */
function serverHosts(model: ClusterModel, assignment: WorkerAssignment, profile?: ClusterProfile) {
  return assignment.shares.map((share) => {
    const server = model.servers.find((s) => s.id === share.server)!
    const host = (profile ? serverAccess(profile, server.id).host : undefined) ?? server.address ?? server.id
    return { host, slots: 1 }
  })
}

/** Server ids that can be Slurm node names (not IP addresses); none when any is an address. */
function slurmNames(assignment: WorkerAssignment): string[] | undefined {
  const names = assignment.shares.map((s) => s.server!)
  return names.every((n) => !/^[\d.]+$|:/.test(n)) ? names : undefined
}

/** `node …/bin/shardscope.cjs` of this installation (nodes that share it run the same), or `shardscope`. */
export function defaultShardscope(launcher: LauncherKind): string[] {
  if (launcher === 'k8s') return ['shardscope']
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'shardscope.cjs')
    if (existsSync(bin) && existsSync(join(dir, 'package.json'))) return [process.execPath, bin]
    if (dirname(dir) === dir) return ['shardscope']
  }
}
