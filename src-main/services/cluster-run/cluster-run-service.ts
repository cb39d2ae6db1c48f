import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import type {
  ClusterRunLaunched,
  ClusterRunProgress,
  ClusterRunRequest,
  ClusterWorkerProgress
} from '../../api/contract'
import { ShardscopeError } from '../../engine/errors'
import { readWorkerProgress } from '../../engine/exec/worker-progress'
import { readClusterProfile } from '../cluster/cluster-files'
import { startLocally, startOnLoginNode, writeArtefacts, type StartedLaunch } from './launch-run'
import { launchRequestOf } from './launch-request'
import { localWorkersGone } from './local-workers'
import { prepareLaunch } from './prepare-launch'

/** What is kept of a launcher's output: its last lines, enough for the error mpirun or sbatch ends with. */
const OUTPUT_TAIL = 8000

interface LiveRun {
  destination: string
  workers: number
  launcher: ClusterRunRequest['launcher']
  started?: StartedLaunch
  /** Ended: the launcher's exit code (sbatch's once the job is queued). */
  code?: number
  running: boolean
  output: string
  /** The Slurm job sbatch queued (`--parsable` prints its id first), for scancel. */
  slurmJob?: string
}

/**
 * The app's "Run on the cluster": writes the same launch files `shardscope launch` writes, starts mpirun or
 * sbatch where asked, and reads each worker's progress file in the destination. There is no coordinator: the
 * workers lock, resume and vouch for their shares themselves, and verify merges their manifests.
 */
export class ClusterRunService {
  private readonly runs = new Map<string, LiveRun>()

  constructor() {
    // The engine process ends when the app closes: a launcher it started must not run on unseen.
    process.once('exit', () => this.cancelAll())
  }

  async launch(request: ClusterRunRequest): Promise<ClusterRunLaunched> {
    const destination = resolve(request.request.destination.folder)
    for (const run of this.runs.values())
      if (run.running && run.destination === destination)
        throw new ShardscopeError(
          'BUSY',
          `A cluster run is already writing to ${destination}: cancel it or wait for it to end first.`
        )
    const launch = await launchRequestOf(request)
    const profile = request.profile ? await readClusterProfile(request.profile) : undefined
    const prepared = await prepareLaunch(launch, profile)
    const errors = prepared.problems.filter((p) => p.severity === 'error')
    if (errors.length > 0)
      throw new ShardscopeError(
        'PLAN_INVALID',
        `Nothing was written: ${errors
          .slice(0, 3)
          .map((p) => p.message)
          .join(' ')}${errors.length > 3 ? ` (and ${errors.length - 3} more problems)` : ''}`
      )
    const written = await writeArtefacts(request.outDir, prepared.artefact, launch.spec.src)
    const runId = randomUUID()
    const run: LiveRun = {
      destination,
      workers: request.workers,
      launcher: request.launcher,
      running: false,
      output: ''
    }
    this.runs.set(runId, run)
    if (request.start) this.start(run, request, prepared.artefact, profile)
    return {
      runId,
      destination,
      workers: request.workers,
      basis: prepared.assignment.basis,
      shares: prepared.assignment.shares.map((s) => ({
        index: s.index,
        ranks: s.ranks,
        ...(s.server !== undefined ? { server: s.server } : {})
      })),
      files: written.map((path, i) => ({ path, content: prepared.artefact.files[i]!.content })),
      howTo: prepared.artefact.howTo,
      started: request.start
    }
  }

  async progress(runId: string): Promise<ClusterRunProgress> {
    const run = this.get(runId)
    const files = await readWorkerProgress(run.destination)
    // mpirun ends only after its workers did: one whose file still says it runs was killed before it could
    // write how it ended (mpirun follows SIGTERM with SIGKILL). sbatch ends once the job is queued.
    const workersGone = run.launcher === 'mpirun' && !run.running && run.code !== undefined
    const workers: ClusterWorkerProgress[] = files
      .filter((f) => f.worker.count === run.workers)
      .map(({ format: _f, version: _v, pid: _p, worker, ...rest }) => ({
        index: worker.index,
        count: worker.count,
        ...rest,
        ...(workersGone && (rest.state === 'running' || rest.state === 'planning')
          ? {
              state: 'failed' as const,
              etaSeconds: undefined,
              bytesPerSecond: 0,
              message: `Worker ${worker.index}/${worker.count} was stopped when mpirun ended, before it could record how far it got; the outputs of its share that are complete are kept, and starting again resumes from them.`
            }
          : {})
      }))
    return {
      runId,
      workers,
      ...(run.started || run.code !== undefined
        ? {
            launcher: {
              state: run.running ? 'running' : 'exited',
              ...(run.code !== undefined ? { code: run.code } : {}),
              output: run.output
            }
          }
        : {})
    }
  }

  /** Stops what Shardscope started: mpirun (which stops its workers) by its PID, or the queued Slurm job. */
  async cancel(runId: string): Promise<{ cancelled: boolean }> {
    const run = this.get(runId)
    if (run.running && run.started) {
      run.started.child.kill('SIGTERM')
      return { cancelled: true }
    }
    if (run.slurmJob) {
      const code = await new Promise<number>((done) => {
        const child = spawn('scancel', [run.slurmJob!], { stdio: 'ignore' })
        child.once('error', () => done(1))
        child.once('close', (c) => done(c ?? 1))
      })
      return { cancelled: code === 0 }
    }
    return { cancelled: false }
  }

  /** Stops every launcher still running (the app is closing). */
  cancelAll(): void {
    for (const run of this.runs.values()) if (run.running) run.started?.child.kill('SIGTERM')
  }

  private get(runId: string): LiveRun {
    const run = this.runs.get(runId)
    if (!run) throw new ShardscopeError('BAD_INPUT', `No cluster run ${runId} was started in this session.`)
    return run
  }

  private start(
    run: LiveRun,
    request: ClusterRunRequest,
    artefact: Parameters<typeof writeArtefacts>[1],
    profile: Awaited<ReturnType<typeof readClusterProfile>> | undefined
  ): void {
    const note = (text: string) => {
      run.output = (run.output + text).slice(-OUTPUT_TAIL)
      const job = /^(\d+)(;[\w.-]+)?\s*$/m.exec(run.output)
      if (run.launcher === 'slurm' && job) run.slurmJob = job[1]
    }
    const ended = (code: number) => {
      run.running = false
      run.code = code
    }
    run.running = true
    if (request.login) {
      if (!profile)
        throw new ShardscopeError('BAD_INPUT', 'Starting on a login node needs the cluster profile.')
      startOnLoginNode(profile, request.login, 'shardscope-launch', artefact).then(
        (result) => {
          note(result.stdout + result.stderr)
          ended(result.code)
        },
        (err: Error) => {
          note(`${err.message}\n`)
          ended(1)
        }
      )
      return
    }
    try {
      run.started = startLocally(request.outDir, artefact, { onOutput: (text) => note(text) })
    } catch (err) {
      run.running = false
      throw err
    }
    run.started.exited.then(
      // Ended means its workers here have too, so that starting again never finds a share still locked.
      (code) =>
        localWorkersGone(run.destination, run.workers)
          .catch(() => undefined)
          .then(() => ended(code)),
      (err: Error) => {
        note(`${err.message}\n`)
        ended(1)
      }
    )
  }
}
