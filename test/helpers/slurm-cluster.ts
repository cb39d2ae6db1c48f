import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A real single-host Slurm for tests (Debian slurm-wlm): munged with its own key and socket, slurmctld and slurmd
 * with a minimal slurm.conf, all in a temp dir, on ports no system Slurm uses. Started and stopped by PID. `env`
 * points sbatch/squeue/srun at this cluster (SLURM_CONF).
 */
export interface TestSlurm {
  dir: string
  conf: string
  env: Record<string, string>
  /** Why Slurm could not start here, in words; undefined when it runs. */
  unavailable?: string
  /** Log tails of the daemons, for failure messages. */
  logs(): string
  close(): Promise<void>
}

const NEEDED = ['munged', 'slurmctld', 'slurmd', 'sbatch']

export async function startTestSlurm(cpus = 2): Promise<TestSlurm> {
  const missing = NEEDED.filter((tool) => spawnSync('which', [tool], { stdio: 'ignore' }).status !== 0)
  const dir = mkdtempSync(join(tmpdir(), 'sscr-slurm-'))
  const conf = join(dir, 'slurm.conf')
  const children: ChildProcess[] = []
  const stop = async () => {
    const waits = children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise((resolve) => c.once('exit', resolve)))
    // Daemons in reverse order: slurmd, slurmctld, then munged they authenticate through.
    for (const child of [...children].reverse()) if (child.exitCode === null) child.kill('SIGTERM')
    await Promise.race([Promise.all(waits), new Promise((resolve) => setTimeout(resolve, 5000))])
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  const logs = () =>
    ['slurmctld.log', 'slurmd.log', 'munged.log']
      .map((f) => join(dir, f))
      .filter(existsSync)
      .map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('\n')
  const env = { SLURM_CONF: conf }
  if (missing.length > 0)
    return { dir, conf, env, unavailable: `not installed: ${missing.join(', ')}`, logs, close: stop }
  if (process.getuid?.() !== 0)
    return {
      dir,
      conf,
      env,
      unavailable: 'slurmd must run as root to start jobs as the user',
      logs,
      close: stop
    }

  chmodSync(dir, 0o711)
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub))
  const key = join(dir, 'munge.key')
  writeFileSync(key, randomBytes(1024), { mode: 0o400 })
  const socket = join(dir, 'munge.socket')
  const port = 20000 + (randomBytes(2).readUInt16BE() % 20000)
  writeFileSync(
    conf,
    [
      'ClusterName=sscr',
      'SlurmctldHost=localhost(127.0.0.1)',
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'SchedulerType=sched/builtin',
      'MpiDefault=none',
      'ReturnToService=2',
      'JobCompType=jobcomp/none',
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      'SwitchType=switch/none',
      'MailProg=/bin/true',
      `NodeName=sscrnode NodeHostname=${hostname()} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      'PartitionName=sscr Nodes=sscrnode Default=YES MaxTime=INFINITE State=UP',
      ''
    ].join('\n')
  )
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, ...env } })
    children.push(child)
    return child
  }
  try {
    start('munged', [
      '--foreground',
      '--force',
      `--socket=${socket}`,
      `--key-file=${key}`,
      `--log-file=${join(dir, 'munged.log')}`,
      `--pid-file=${join(dir, 'munged.pid')}`,
      `--seed-file=${join(dir, 'munged.seed')}`
    ])
    await until(() => existsSync(socket), 'munged did not create its socket', logs)
    start('slurmctld', ['-D', '-c', '-f', conf])
    start('slurmd', ['-D', '-N', 'sscrnode', '-f', conf])
    await until(
      () => {
        const info = spawnSync('sinfo', ['-h', '-o', '%T'], {
          encoding: 'utf8',
          env: { ...process.env, ...env }
        })
        return info.status === 0 && /^idle/m.test(info.stdout)
      },
      'the node did not become idle',
      logs,
      30_000
    )
  } catch (err) {
    const why = (err as Error).message
    await stop()
    return { dir, conf, env, unavailable: why, logs: () => why, close: async () => undefined }
  }
  return { dir, conf, env, logs, close: stop }
}

async function until(done: () => boolean, what: string, logs: () => string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s:\n${logs()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
