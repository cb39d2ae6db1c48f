import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ClusterRunProgress, ClusterRunRequest, PlanRequest } from '../../src-main/api/contract'
import { ClusterRunService } from '../../src-main/services/cluster-run/cluster-run-service'
import { cli, cliProcess } from '../helpers/cli'
import { ORACLE } from '../helpers/fixtures'
import { noDifferences, oracleDifferences, ORACLE_CASES } from '../helpers/oracle-cases'
import { writeSyntheticConversion } from '../helpers/synthetic'
import { useTempDirs } from '../helpers/temp-dir'
import { outputHashes } from '../helpers/workers'

// Issue 11, point 5: the app's "Run on the cluster" (the service behind it, in the runner process) writes the
// launch files, starts mpirun for real, follows the workers' progress files, cancels, and a second launch resumes.
const tempDir = useTempDirs()
const hasMpirun = spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status === 0
const CASE = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!

function planRequest(dst: string): PlanRequest {
  return {
    source: { folder: join(ORACLE, CASE.name, 'src'), strategy: join(ORACLE, CASE.src_strategy_file!) },
    destination: { folder: dst, strategy: join(ORACLE, CASE.dst_strategy_file!) },
    options: { format: 'ckpt' }
  }
}

async function untilProgress(
  service: ClusterRunService,
  runId: string,
  done: (p: ClusterRunProgress) => boolean,
  what: string
): Promise<ClusterRunProgress> {
  const deadline = Date.now() + 120_000
  for (;;) {
    const progress = await service.progress(runId)
    if (done(progress)) return progress
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(progress)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const exited = (p: ClusterRunProgress) => p.launcher?.state === 'exited'

beforeAll(() => {
  expect(cliProcess('--help').code).toBe(0)
})

describe.skipIf(!hasMpirun)('Run on the cluster, as the app starts it', () => {
  it('starts mpirun with two workers, shows each one complete, and the outputs equal MindSpore and verify', async () => {
    const root = tempDir()
    const out = join(root, 'out')
    const service = new ClusterRunService()
    const request: ClusterRunRequest = {
      request: planRequest(out),
      launcher: 'mpirun',
      workers: 2,
      outDir: join(root, 'launch'),
      start: true
    }
    const launched = await service.launch(request)
    expect(launched.started).toBe(true)
    expect(launched.shares.map((s) => s.ranks)).toEqual([
      [0, 2],
      [1, 3]
    ])
    expect(launched.files.map((f) => f.path)).toContain(join(root, 'launch', 'mpirun.sh'))
    expect(readFileSync(join(root, 'launch', 'mpirun.sh'), 'utf8')).toBe(
      launched.files.find((f) => f.path.endsWith('mpirun.sh'))!.content
    )
    // Two runs never race on one destination: a second launch while mpirun runs is refused.
    await expect(service.launch(request)).rejects.toThrow(`A cluster run is already writing to ${out}`)

    const progress = await untilProgress(service, launched.runId, exited, 'mpirun to end')
    expect(progress.launcher?.code, progress.launcher?.output).toBe(0)
    expect(progress.workers.map((w) => [w.index, w.state, w.ranks, w.bytesDone === w.bytesTotal])).toEqual([
      [0, 'complete', [0, 2], true],
      [1, 'complete', [1, 3], true]
    ])
    expect(await oracleDifferences(CASE, out)).toEqual(noDifferences(CASE))
    const verify = await cli('verify', out)
    expect(verify.code, verify.stdout).toBe(0)
    // The same progress files, read by the CLI (for runs started by sbatch or kubectl).
    const status = await cli('launch', '--status', '--dst', out)
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toMatch(
      new RegExp(
        `^2 of 2 workers have progress files in ${out}; all complete .*\\n  worker 0/2 on .*: complete — ranks 0, 2 — .*\\n  worker 1/2 on .*: complete — ranks 1, 3 — `
      )
    )
  })

  it('cancels a running mpirun: workers stop and say so; launching again resumes to the same outputs', async () => {
    const root = tempDir()
    // 1 GiB in all: enough that the workers are still writing when the cancel lands, even on an idle machine.
    const { args } = await writeSyntheticConversion(root, 32, 8192)
    const flag = (name: string) => args[args.indexOf(name) + 1]!
    const out = join(root, 'out')
    const service = new ClusterRunService()
    const request: ClusterRunRequest = {
      request: {
        source: { folder: flag('--src'), strategy: flag('--src-strategy') },
        destination: { folder: out, strategy: flag('--dst-strategy') },
        options: { format: 'ckpt' }
      },
      run: { jobs: 1 },
      launcher: 'mpirun',
      workers: 2,
      outDir: join(root, 'launch'),
      start: true
    }
    const first = await service.launch(request)
    await untilProgress(
      service,
      first.runId,
      // As soon as a worker runs (its first progress write): on a loaded machine, waiting for bytes let both
      // workers finish before the cancel landed.
      (p) => exited(p) || p.workers.some((w) => w.state === 'running'),
      'a worker to start writing'
    )
    expect(await service.cancel(first.runId)).toEqual({ cancelled: true })
    const stopped = await untilProgress(service, first.runId, exited, 'mpirun to stop')
    expect(stopped.launcher!.code).not.toBe(0)
    // A worker that had finished its share stays complete; the others say they were cancelled, and why.
    const states = stopped.workers.map((w) => w.state)
    // (or, killed by mpirun before they could write it, are reported stopped: mpirun ended, so they did).
    expect(states.filter((s) => s === 'running' || s === 'planning')).toEqual([])
    expect(states.filter((s) => s !== 'complete').length).toBeGreaterThan(0)
    for (const w of stopped.workers.filter((x) => x.state === 'cancelled'))
      expect(w.message).toMatch(/^Worker [01]\/2 was cancelled; .* running it again resumes from them\.$/)
    for (const w of stopped.workers.filter((x) => x.state === 'failed'))
      expect(w.message).toMatch(/^Worker [01]\/2 was stopped when mpirun ended, before it could record/)
    expect((await cli('verify', out)).code).not.toBe(0)
    const status = await cli('launch', '--status', '--dst', out, '--json')
    expect(status.code).toBe(1)
    expect(JSON.parse(status.stdout)).toMatchObject({ workers: 2, complete: false })
    expect(JSON.parse(status.stdout).progress).toHaveLength(2)

    const again = await service.launch(request)
    const resumed = await untilProgress(service, again.runId, exited, 'the resumed run to end')
    expect(resumed.launcher?.code, resumed.launcher?.output).toBe(0)
    expect(resumed.workers.map((w) => w.state)).toEqual(['complete', 'complete'])
    expect(resumed.workers.reduce((n, w) => n + w.ranksSkipped, 0)).toBeGreaterThan(0)
    expect((await cli('verify', out)).code).toBe(0)
    const single = join(root, 'single')
    expect((await cli('transform', ...args, '--dst', single)).code).toBe(0)
    expect(outputHashes(out)).toEqual(outputHashes(single))
  })

  it('writes a Kubernetes Indexed Job without starting anything, and refuses what a cluster run cannot do', async () => {
    const root = tempDir()
    const { args } = await writeSyntheticConversion(root, 4, 64)
    const flag = (name: string) => args[args.indexOf(name) + 1]!
    const service = new ClusterRunService()
    const base: ClusterRunRequest = {
      request: {
        source: { folder: flag('--src'), strategy: flag('--src-strategy') },
        destination: { folder: join(root, 'out'), strategy: flag('--dst-strategy') },
        options: { format: 'ckpt' }
      },
      launcher: 'k8s',
      workers: 4,
      outDir: join(root, 'launch'),
      start: false,
      k8s: { image: 'registry.example/shardscope:1', claim: 'ckpt', mountPath: root }
    }
    const launched = await service.launch(base)
    expect(launched.started).toBe(false)
    const job = JSON.parse(launched.files.find((f) => f.path.endsWith('.json'))!.content)
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 })
    expect(launched.howTo).toContain('kubectl')
    expect(await service.progress(launched.runId)).toEqual({ runId: launched.runId, workers: [] })
    expect(await service.cancel(launched.runId)).toEqual({ cancelled: false })

    const only = { ...base, request: { ...base.request, options: { format: 'ckpt' as const, ranks: [1] } } }
    await expect(service.launch(only)).rejects.toThrow('clear "Only ranks"')
    const hex = {
      ...base,
      request: { ...base.request, options: { format: 'ckpt' as const, decryption: { key: '00ff' } } }
    }
    await expect(service.launch(hex)).rejects.toThrow('as a key file (@/path/to/key)')
    await expect(service.launch({ ...base, k8s: { image: 'x', mountPath: root } })).rejects.toThrow(
      'either a volume claim or a host path'
    )
    await expect(service.progress('nope')).rejects.toThrow('No cluster run nope')
    const none = await cli('launch', '--status', '--dst', join(root, 'out'))
    expect([none.code, none.stdout]).toEqual([
      1,
      `No worker has written a progress file in ${join(root, 'out')} yet.\n`
    ])
  })
})
