import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, cliProcess } from '../helpers/cli'
import { ORACLE } from '../helpers/fixtures'
import { noDifferences, oracleDifferences, ORACLE_CASES, strategyFlags } from '../helpers/oracle-cases'
import { startTestSlurm, type TestSlurm } from '../helpers/slurm-cluster'
import { useTempDirs } from '../helpers/temp-dir'
import { outputHashes, runCliProcess } from '../helpers/workers'

const tempDir = useTempDirs()
const CASE = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!
const args = ['--src', join(ORACLE, CASE.name, 'src'), ...strategyFlags(CASE)]

describe('the generated sbatch script on a real single-host Slurm', () => {
  let slurm: TestSlurm
  beforeAll(async () => {
    slurm = await startTestSlurm(2)
    console.log(
      slurm.unavailable
        ? `Slurm could not start here (${slurm.unavailable}); only the script text is checked`
        : 'Slurm: munged, slurmctld and slurmd started by the test on this host, one node with 2 CPUs'
    )
    expect(cliProcess('--help').code).toBe(0)
  }, 120_000)
  afterAll(async () => {
    await slurm?.close()
  })

  it('runs two srun tasks, each finding its share from SLURM_PROCID/SLURM_NTASKS; the result verifies', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    const launchDir = join(dir, 'launch')
    const launch = runCliProcess(
      [
        'launch',
        '--launcher',
        'slurm',
        '--workers',
        '2',
        ...args,
        '--dst',
        out,
        '--out',
        launchDir,
        '--cpus-per-task',
        '1'
      ].concat(slurm.unavailable ? [] : ['--run', '--wait']),
      slurm.env
    )
    const result = await launch.done
    expect(result.code, result.stderr + result.stdout + slurm.logs()).toBe(0)
    const script = readFileSync(join(launchDir, 'shardscope.sbatch'), 'utf8')
    expect(script).toMatch(/^#SBATCH --ntasks=2$/m)
    expect(script).toMatch(/^srun --kill-on-bad-exit=0 .*transform .*--workers 2$/m)
    if (slurm.unavailable) return
    // sbatch --parsable printed the job id; the job's output file holds both tasks' first lines.
    const jobId = result.stdout.trim().split(/\s+/).pop()!
    expect(jobId).toMatch(/^\d+$/)
    const log = readFileSync(join(launchDir, `shardscope-${jobId}.out`), 'utf8')
    expect(log).toMatch(/^worker 0\/2 \(detected Slurm: SLURM_PROCID=0, SLURM_NTASKS=2\)$/m)
    expect(log).toMatch(/^worker 1\/2 \(detected Slurm: SLURM_PROCID=1, SLURM_NTASKS=2\)$/m)
    expect(
      readdirSync(out)
        .filter((f) => f.startsWith('shardscope-manifest'))
        .sort()
    ).toEqual(['shardscope-manifest.worker-0-of-2.json', 'shardscope-manifest.worker-1-of-2.json'])
    const verify = await cli('verify', out)
    expect(verify.code, verify.stdout).toBe(0)
    const local = join(dir, 'local')
    expect((await cli('transform', ...args, '--dst', local)).code).toBe(0)
    expect(outputHashes(out)).toEqual(outputHashes(local))
    expect(await oracleDifferences(CASE, out)).toEqual(noDifferences(CASE))
  }, 300_000)
})
