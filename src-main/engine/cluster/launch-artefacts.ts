import { ShardscopeError } from '../errors'
import { shellLine, shellWord } from '../util/shell-words'
import type { WorkerAssignment } from './worker-assignment'
import { listRanks } from './worker-assignment'
import { workerArguments, type TransformSpec } from './worker-command'

/** A file `shardscope launch` writes, and the command that starts the run from the folder holding them. */
export interface LaunchArtefact {
  files: { name: string; content: string; executable?: boolean }[]
  /** Run in the artefacts' folder: `sh mpirun.sh`, `sbatch --parsable shardscope.sbatch`, … */
  start?: string[]
  /** What to do with it, for people. */
  howTo: string
}

export interface CommonLaunch {
  spec: TransformSpec
  assignment: WorkerAssignment
  /** The command that runs Shardscope on the nodes, as words (`node /opt/shardscope/bin/shardscope.cjs`). */
  shardscope: string[]
}

export interface MpirunLaunch extends CommonLaunch {
  /** Hosts and slots; rank-table runs give one slot per server. None: all workers on this machine. */
  hosts?: { host: string; slots: number }[]
  /** `plm_rsh_agent`: the ssh command mpirun reaches the hosts with (keys, known_hosts). */
  rshAgent?: string
  allowRunAsRoot?: boolean
  extraArgs?: string[]
}

export interface SlurmLaunch extends CommonLaunch {
  jobName?: string
  partition?: string
  time?: string
  /** Slurm node names, for a rank-table run whose servers Slurm must pick exactly. */
  nodelist?: string[]
  cpusPerTask?: number
  output?: string
  extraArgs?: string[]
}

function header(common: CommonLaunch): string[] {
  const { assignment, spec } = common
  const how =
    assignment.basis === 'rank-table'
      ? `one per server of ${assignment.layout}, each writing the ranks its server loads`
      : 'destination ranks dealt by bytes to write'
  return [
    `# Written by "shardscope launch": ${assignment.count} workers convert ${spec.src}`,
    `# into ${spec.dst} (${how}).`,
    ...assignment.shares.map(
      (s) =>
        `#   worker ${s.index}${s.server ? ` on ${s.server}` : ''}: destination ranks ${listRanks(s.ranks)}`
    ),
    '# Run it again after a failure: finished outputs are verified and kept, the rest is written.',
    `# Then check every worker's share: shardscope verify ${shellWord(spec.dst)}`
  ]
}

/**
 * `mpirun.sh` (and `hostfile`): mpirun starts the workers, each reads OMPI_COMM_WORLD_RANK/SIZE. A rank-table run
 * places one process per server (`--map-by ppr:1:node`), in the servers' launch order.
 */
export function mpirunArtefact(launch: MpirunLaunch): LaunchArtefact {
  const { assignment, spec } = launch
  const perServer = assignment.basis === 'rank-table'
  const hosts = launch.hosts
  if (hosts && !perServer) {
    const slots = hosts.reduce((s, h) => s + h.slots, 0)
    if (slots < assignment.count)
      throw new ShardscopeError(
        'BAD_INPUT',
        `The hosts give ${slots} slots for ${assignment.count} workers; give each host slots=<workers on it>.`
      )
  }
  if (perServer && (!hosts || hosts.length !== assignment.count))
    throw new ShardscopeError(
      'BAD_INPUT',
      `A rank-table run under mpirun needs the address of each of its ${assignment.count} servers.`
    )
  const args = [
    'mpirun',
    ...(launch.allowRunAsRoot ? ['--allow-run-as-root'] : []),
    '-np',
    String(assignment.count),
    ...(hosts ? ['--hostfile', '"$HERE/hostfile"'] : ['--oversubscribe']),
    ...(perServer ? ['--map-by', 'ppr:1:node'] : []),
    '--tag-output',
    ...(launch.rshAgent ? ['--mca', 'plm_rsh_agent', launch.rshAgent] : []),
    ...(launch.extraArgs ?? [])
  ]
  const command = [...launch.shardscope, ...workerArguments(spec, assignment.count)]
  const line =
    args.map((a) => (a === '"$HERE/hostfile"' ? a : shellWord(a))).join(' ') + ' \\\n  ' + shellLine(command)
  const files: LaunchArtefact['files'] = [
    {
      name: 'mpirun.sh',
      executable: true,
      content: [
        '#!/bin/sh',
        ...header(launch),
        'HERE=$(cd "$(dirname "$0")" && pwd)',
        `exec ${line}`,
        ''
      ].join('\n')
    }
  ]
  if (hosts)
    files.push({
      name: 'hostfile',
      content:
        `# ${perServer ? 'One worker per server, in launch order' : 'Hosts and how many workers each runs'}\n` +
        hosts.map((h) => `${h.host} slots=${h.slots}`).join('\n') +
        '\n'
    })
  return {
    files,
    start: ['sh', 'mpirun.sh'],
    howTo: 'Run sh mpirun.sh where mpirun can reach the hosts (a login node).'
  }
}

/** `shardscope.sbatch`: srun starts one task per worker, each reads SLURM_PROCID/SLURM_NTASKS. */
export function slurmArtefact(launch: SlurmLaunch): LaunchArtefact {
  const { assignment, spec } = launch
  const perServer = assignment.basis === 'rank-table'
  const directives: string[] = [
    `--job-name=${launch.jobName ?? 'shardscope-convert'}`,
    `--ntasks=${assignment.count}`,
    ...(perServer ? [`--nodes=${assignment.count}`, '--ntasks-per-node=1'] : []),
    ...(launch.nodelist && launch.nodelist.length > 0 ? [`--nodelist=${launch.nodelist.join(',')}`] : []),
    ...(launch.cpusPerTask !== undefined ? [`--cpus-per-task=${launch.cpusPerTask}`] : []),
    ...(launch.partition ? [`--partition=${launch.partition}`] : []),
    ...(launch.time ? [`--time=${launch.time}`] : []),
    `--output=${launch.output ?? 'shardscope-%j.out'}`,
    ...(launch.extraArgs ?? [])
  ]
  for (const d of directives)
    if (/[\r\n]/.test(d))
      throw new ShardscopeError('BAD_INPUT', `An sbatch option cannot span lines: ${JSON.stringify(d)}.`)
  const note =
    perServer && !launch.nodelist
      ? [`# The servers of ${assignment.layout} must be the job's nodes: add --nodelist=<their Slurm names>.`]
      : []
  const command = [...launch.shardscope, ...workerArguments(spec, assignment.count)]
  const content = [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    ...header(launch),
    ...note,
    '# One failed task must not stop the others: each share is a separate piece of work.',
    `srun --kill-on-bad-exit=0 ${shellLine(command)}`,
    ''
  ].join('\n')
  return {
    files: [{ name: 'shardscope.sbatch', content, executable: true }],
    start: ['sbatch', '--parsable', 'shardscope.sbatch'],
    howTo: 'Submit it with sbatch shardscope.sbatch on a login node.'
  }
}
