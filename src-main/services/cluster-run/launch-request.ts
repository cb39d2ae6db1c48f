import { open } from 'node:fs/promises'
import type { ClusterRunRequest } from '../../api/contract'
import type { TransformSpec } from '../../engine/cluster/worker-command'
import { ShardscopeError } from '../../engine/errors'
import { ioError } from '../../engine/io/io-error'
import { planOptionsFrom } from '../plan-options'
import type { LaunchRequest } from './prepare-launch'

/**
 * The app's "Run on the cluster" as the launch `shardscope launch` would make from the same choices: the plan's
 * request becomes the workers' `transform` options, checked as the planner checks them.
 */
export async function launchRequestOf(request: ClusterRunRequest): Promise<LaunchRequest> {
  const { source, destination, options } = request.request
  if (options.ranks !== undefined)
    throw new ShardscopeError(
      'BAD_INPUT',
      'A cluster run converts every destination rank: clear "Only ranks" in the planner first.'
    )
  if (options.overwrite)
    throw new ShardscopeError(
      'BAD_INPUT',
      `A cluster run never replaces another conversion: choose an empty destination instead of ${destination.folder}.`
    )
  if (options.decryption && !options.decryption.key.startsWith('@'))
    throw new ShardscopeError(
      'BAD_INPUT',
      'A cluster run needs the decryption key as a key file (@/path/to/key): a key in hex would be written into the launch files for anyone to read.'
    )
  const { open: decryption } = planOptionsFrom(options)
  const spec: TransformSpec = { src: source.folder, dst: destination.folder }
  const optional: Partial<TransformSpec> = {
    srcStrategy: source.strategy,
    dstStrategy: destination.strategy,
    prefix: options.prefix,
    format: options.format,
    dtype: options.dtype,
    exclude: options.exclude,
    crc: options.crc || undefined,
    verifyCrc: options.verifyCrc || undefined,
    fsync: request.run?.fsync || undefined,
    sha256: request.run?.sha256 || undefined,
    jobs: request.run?.jobs,
    decKey: options.decryption?.key,
    decMode: options.decryption?.mode,
    layout: request.layout
      ? { kind: (await isRankTable(request.layout)) ? 'rank-table' : 'hostfile', path: request.layout }
      : undefined,
    cluster: request.profile
  }
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) (spec as unknown as Record<string, unknown>)[key] = value
  const launch: LaunchRequest = {
    launcher: request.launcher,
    workers: request.workers,
    spec,
    ...(decryption ? { open: decryption } : {})
  }
  if (request.launcher === 'mpirun')
    launch.mpirun = { ...(request.hosts?.length ? { hosts: request.hosts } : {}), extraArgs: [] }
  if (request.launcher === 'slurm') launch.slurm = { ...request.slurm, extraArgs: [] }
  if (request.launcher === 'k8s') {
    const k8s = request.k8s
    if (!k8s || (k8s.claim === undefined) === (k8s.hostPath === undefined))
      throw new ShardscopeError(
        'BAD_INPUT',
        'A Kubernetes run needs the image, the mount path and either a volume claim or a host path (not both).'
      )
    launch.k8s = {
      image: k8s.image,
      volume: k8s.claim !== undefined ? { claim: k8s.claim } : { hostPath: k8s.hostPath! },
      mountPath: k8s.mountPath,
      cpu: k8s.cpu ?? String(request.run?.jobs ?? 4),
      ...(k8s.memory ? { memory: k8s.memory } : {})
    }
  }
  return launch
}

/** A rank table is JSON; anything else is read as an MPI hostfile (as `readClusterLayout` decides). */
async function isRankTable(path: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'r')
    const head = Buffer.alloc(256)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return /^\s*[{[]/.test(
      head
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
    )
  } catch (err) {
    throw ioError(err, path, 'read')
  } finally {
    await handle?.close()
  }
}
