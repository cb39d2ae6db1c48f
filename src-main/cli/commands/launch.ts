import { resolve } from 'node:path'
import { listRanks } from '../../engine/cluster/worker-assignment'
import type { LauncherKind, TransformSpec } from '../../engine/cluster/worker-command'
import { ShardscopeError } from '../../engine/errors'
import { readClusterProfile } from '../../services/cluster/cluster-files'
import { startLocally, startOnLoginNode, writeArtefacts } from '../../services/cluster-run/launch-run'
import { prepareLaunch, type LaunchRequest } from '../../services/cluster-run/prepare-launch'
import { parseCommandArgs, requireInteger } from '../args'
import { EXIT_OK } from '../exit-codes'
import type { CliIO } from '../io'
import { PLAN_OPTIONS, printProblems } from '../plan-args'
import { decryptionOptions } from '../strategy-args'
import { pinNewKeys } from './cluster-common'
import { launchStatus } from './launch-status'

export const LAUNCH_USAGE = `Usage: shardscope launch --launcher mpirun|slurm|k8s --workers <n> --src <dir> --dst <dir> [transform options]
         [--rank-table <f> | --hostfile <f>] [--cluster <profile>] [--out <dir>] [--shardscope <command>]
         [--run [--wait] [--login <server> [--remote-dir <dir>]]] [--json]
       shardscope launch --status --dst <dir> [--workers <n>] [--json]
  mpirun:  [--hosts <host:slots,…>] [--ssh <ssh command>] [--mpirun-arg <arg>]...
  slurm:   [--partition <p>] [--time <t>] [--nodelist <a,b>] [--cpus-per-task <n>] [--sbatch-arg <arg>]...
  k8s:     --image <image> (--claim <pvc> | --host-path <dir>) --mount <path> [--cpu <q>] [--memory <q>]
           [--name <job>] [--namespace <ns>]

Writes what starts "shardscope transform" as <n> workers under your cluster's launcher, each converting its
share of the destination ranks where its server reads them: mpirun.sh and a hostfile, an sbatch script, or a
Kubernetes Indexed Job (JSON; CPU only, the storage volume mounted). When the sources are visible here the
conversion is planned first and the shares are listed. With --rank-table each worker writes the ranks its own
server loads (one worker per server); without, ranks are dealt by bytes to write.

  --out         folder for the files (default ./shardscope-launch)
  --shardscope  how the nodes run Shardscope (default: this installation, "node …/bin/shardscope.cjs";
                "shardscope" in a Kubernetes image)
  --run         start it: mpirun.sh, or sbatch (--wait: until the job ends); with --login, on that server of
                the cluster profile over SSH (its host key pinned), files copied to --remote-dir first
  --hosts       mpirun hosts for a run without rank table, e.g. node-0:2,node-1:2 (default: this machine)
  --ssh         the ssh command mpirun reaches the hosts with (its plm_rsh_agent)
  --status      how far each worker is, from their progress files in --dst (exit 0 when all are complete)
Exit codes: 0 written (and started), 1 the launcher failed, 2 bad input.
`

const LAUNCH_OPTIONS = {
  ...PLAN_OPTIONS,
  launcher: { type: 'string' },
  workers: { type: 'string' },
  jobs: { type: 'string' },
  fsync: { type: 'boolean' },
  sha256: { type: 'boolean' },
  'rank-table': { type: 'string' },
  hostfile: { type: 'string' },
  cluster: { type: 'string' },
  out: { type: 'string' },
  shardscope: { type: 'string' },
  run: { type: 'boolean' },
  status: { type: 'boolean' },
  wait: { type: 'boolean' },
  login: { type: 'string' },
  'remote-dir': { type: 'string' },
  hosts: { type: 'string' },
  ssh: { type: 'string' },
  'mpirun-arg': { type: 'string', multiple: true },
  partition: { type: 'string' },
  time: { type: 'string' },
  nodelist: { type: 'string' },
  'cpus-per-task': { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  image: { type: 'string' },
  claim: { type: 'string' },
  'host-path': { type: 'string' },
  mount: { type: 'string' },
  cpu: { type: 'string' },
  memory: { type: 'string' },
  name: { type: 'string' },
  namespace: { type: 'string' }
} as const

const LAUNCHERS: readonly string[] = ['mpirun', 'slurm', 'k8s']

export async function launchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('launch', argv, LAUNCH_OPTIONS)
  if (values.help) {
    io.out(LAUNCH_USAGE)
    return EXIT_OK
  }
  if (values.status)
    return launchStatus(
      values.dst,
      values.workers !== undefined ? requireInteger('--workers', values.workers) : undefined,
      values.json === true,
      io
    )
  const launcher = values.launcher
  if (launcher === undefined || !LAUNCHERS.includes(launcher))
    throw new ShardscopeError(
      'BAD_INPUT',
      `--launcher must be mpirun, slurm or k8s, got "${launcher ?? ''}".`
    )
  if (values.workers === undefined) throw new ShardscopeError('BAD_INPUT', '--workers <n> is required.')
  if (values.src === undefined || values.dst === undefined)
    throw new ShardscopeError(
      'BAD_INPUT',
      '--src and --dst are required: the workers convert --src into --dst.'
    )
  for (const flag of ['overwrite', 'rank'] as const)
    if (values[flag] !== undefined)
      throw new ShardscopeError(
        'BAD_INPUT',
        `--${flag} is not for distributed runs (see "transform --help").`
      )
  const kind = launcher as LauncherKind
  const profile = values.cluster ? await readClusterProfile(values.cluster) : undefined
  const request: LaunchRequest = {
    launcher: kind,
    workers: requireInteger('--workers', values.workers),
    spec: specFrom(values),
    ...(values.shardscope ? { shardscope: values.shardscope.trim().split(/\s+/) } : {}),
    open: decryptionOptions(values)
  }
  if (kind === 'mpirun')
    request.mpirun = {
      ...(values.hosts ? { hosts: parseHosts(values.hosts) } : {}),
      ...(values.ssh ? { rshAgent: values.ssh } : {}),
      extraArgs: values['mpirun-arg'] ?? []
    }
  if (kind === 'slurm')
    request.slurm = {
      ...(values.partition ? { partition: values.partition } : {}),
      ...(values.time ? { time: values.time } : {}),
      ...(values.nodelist ? { nodelist: values.nodelist.split(',').filter(Boolean) } : {}),
      ...(values['cpus-per-task']
        ? { cpusPerTask: requireInteger('--cpus-per-task', values['cpus-per-task']) }
        : {}),
      extraArgs: values['sbatch-arg'] ?? []
    }
  if (kind === 'k8s') {
    if (!values.image || !values.mount || (!values.claim && !values['host-path']))
      throw new ShardscopeError(
        'BAD_INPUT',
        'A Kubernetes launch needs --image, --mount and --claim or --host-path.'
      )
    request.k8s = {
      image: values.image,
      volume: values.claim ? { claim: values.claim } : { hostPath: values['host-path']! },
      mountPath: values.mount,
      cpu: values.cpu ?? String(request.spec.jobs ?? 4),
      ...(values.memory ? { memory: values.memory } : {}),
      ...(values.name ? { name: values.name } : {}),
      ...(values.namespace ? { namespace: values.namespace } : {})
    }
  }
  const prepared = await prepareLaunch(request, profile)
  const errors = printProblems(io, prepared.problems)
  if (errors.length > 0)
    throw new ShardscopeError(
      'PLAN_INVALID',
      `nothing was written: ${errors.length} problem${errors.length === 1 ? '' : 's'} above must be fixed first.`
    )
  const dir = resolve(values.out ?? 'shardscope-launch')
  const written = await writeArtefacts(dir, prepared.artefact, request.spec.src)
  const { assignment } = prepared
  if (values.json && !values.run) {
    io.out(JSON.stringify({ launcher: kind, files: written, assignment, planned: prepared.planned }) + '\n')
    return EXIT_OK
  }
  io.err(
    `${written.map((f) => `wrote ${f}`).join('\n')}\n` +
      (assignment.shares.length > 0
        ? assignment.shares
            .map(
              (s) =>
                `  worker ${s.index}${s.server ? ` (${s.server})` : ''}: destination ranks ${listRanks(s.ranks)}\n`
            )
            .join('')
        : `  ${assignment.count} workers; the sources are not visible here, so each worker deals the ranks when it plans\n`) +
      `${prepared.artefact.howTo}\n`
  )
  if (!values.run) return EXIT_OK
  if (values.login) {
    if (!profile || !values.cluster)
      throw new ShardscopeError(
        'BAD_INPUT',
        '--login needs --cluster <profile> that says how to reach the login node.'
      )
    const remoteDir = values['remote-dir'] ?? 'shardscope-launch'
    const result = await startOnLoginNode(profile, values.login, remoteDir, prepared.artefact, {
      wait: values.wait === true
    })
    await pinNewKeys(io, values.cluster, profile, result.newTrust)
    io.out(result.stdout)
    if (result.stderr) io.err(result.stderr)
    return result.code === 0 ? EXIT_OK : 1
  }
  const started = startLocally(dir, prepared.artefact, {
    wait: values.wait === true,
    onOutput: (text, stream) => (stream === 'out' ? io.out(text) : io.err(text))
  })
  const stop = () => started.child.kill('SIGTERM')
  io.signal.addEventListener('abort', stop)
  try {
    const code = await started.exited
    return code === 0 ? EXIT_OK : 1
  } finally {
    io.signal.removeEventListener('abort', stop)
  }
}

type LaunchValues = Record<string, string | boolean | string[] | undefined>

function specFrom(values: LaunchValues): TransformSpec {
  const path = (v: unknown) => (typeof v === 'string' ? resolve(v) : undefined)
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const format = text(values.format)
  if (format !== undefined && format !== 'ckpt' && format !== 'safetensors')
    throw new ShardscopeError('BAD_INPUT', `--format must be ckpt or safetensors, got "${format}".`)
  const layoutPath = path(values['rank-table'] ?? values.hostfile)
  const spec: TransformSpec = { src: path(values.src)!, dst: path(values.dst)! }
  const optional: Partial<TransformSpec> = {
    srcStrategy: path(values['src-strategy']),
    dstStrategy: path(values['dst-strategy']),
    prefix: text(values.prefix),
    format: format as TransformSpec['format'],
    dtype: text(values.dtype),
    exclude: text(values.exclude),
    crc: values.crc === true || undefined,
    verifyCrc: values['verify-crc'] === true || undefined,
    fsync: values.fsync === true || undefined,
    sha256: values.sha256 === true || undefined,
    jobs: typeof values.jobs === 'string' ? requireInteger('--jobs', values.jobs) : undefined,
    decKey: typeof values['dec-key'] === 'string' ? keyFile(values['dec-key']) : undefined,
    decMode: text(values['dec-mode']),
    layout: layoutPath
      ? { kind: values['rank-table'] ? 'rank-table' : 'hostfile', path: layoutPath }
      : undefined,
    cluster: path(values.cluster)
  }
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) (spec as unknown as Record<string, unknown>)[key] = value
  return spec
}

/** `@key` paths become absolute; a hex key is refused by the artefact writer, never written out. */
function keyFile(argument: string): string {
  return argument.startsWith('@') ? `@${resolve(argument.slice(1))}` : argument
}

/** `node-0:2,node-1:2` → hosts with slots (1 when not given). */
function parseHosts(text: string): { host: string; slots: number }[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const match = /^([\w.-]+)(?::(\d+))?$/.exec(entry.trim())
      if (!match) throw new ShardscopeError('BAD_INPUT', `--hosts takes host:slots entries, got "${entry}".`)
      return { host: match[1]!, slots: match[2] ? Number(match[2]) : 1 }
    })
}
