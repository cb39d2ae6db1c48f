import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DestinationLock } from '../../src-main/engine/exec/destination-lock'
import { readWorkerProgress } from '../../src-main/engine/exec/worker-progress'
import { cli, cliProcess } from '../helpers/cli'
import { noDifferences, oracleDifferences, ORACLE_CASES, strategyFlags } from '../helpers/oracle-cases'
import { ORACLE } from '../helpers/fixtures'
import { writeSyntheticConversion } from '../helpers/synthetic'
import { useTempDirs } from '../helpers/temp-dir'
import { outputHashes, runCliProcess, until, workerOutputs } from '../helpers/workers'

const tempDir = useTempDirs()
const CASE = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!
const caseArgs = (dst: string) => [
  '--src',
  join(ORACLE, CASE.name, 'src'),
  '--dst',
  dst,
  ...strategyFlags(CASE)
]

beforeAll(() => {
  // Builds the CLI bundle once, before workers start it side by side.
  expect(cliProcess('--help').code).toBe(0)
})

describe('workers of one conversion in one shared folder', () => {
  it('write disjoint shares at once; the merged folder equals a single run and MindSpore, and verifies', async () => {
    const root = tempDir()
    const out = join(root, 'out')
    const runs = [0, 1].map((i) => runCliProcess(['transform', ...caseArgs(out), '--worker', `${i}/2`]))
    const results = await Promise.all(runs.map((r) => r.done))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(results[0]!.stderr.split('\n')[0]).toBe('worker 0/2 (given by --worker)')
    expect(results[1]!.stderr).toMatch(/worker 1\/2 writes destination ranks 1, 3 .* dealt by bytes to write/)

    const single = join(root, 'single')
    expect((await cli('transform', ...caseArgs(single))).code).toBe(0)
    expect(outputHashes(out)).toEqual(outputHashes(single))
    expect(await oracleDifferences(CASE, out)).toEqual(noDifferences(CASE))

    const verify = await cli('verify', out)
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.stdout).toMatch(/Workers: 2 of 2 shares in this folder \(0: ranks 0, 2; 1: ranks 1, 3\)/)
    const progress = await readWorkerProgress(out)
    expect(progress.map((p) => [p.worker.index, p.state, p.ranks, p.bytesDone === p.bytesTotal])).toEqual([
      [0, 'complete', [0, 2], true],
      [1, 'complete', [1, 3], true]
    ])
    // What plan --workers shows is what the workers did.
    const planned = JSON.parse(
      (await cli('plan', ...caseArgs(out).slice(0, 2), ...strategyFlags(CASE), '--workers', '2', '--json'))
        .stdout
    )
    expect(planned.workers.shares.map((s: { ranks: number[] }) => s.ranks)).toEqual([
      [0, 2],
      [1, 3]
    ])
  })

  it('excludes a second worker with the same i/n, and a re-run resumes its share', async () => {
    const out = join(tempDir(), 'out')
    await cli('transform', ...caseArgs(out), '--worker', '1/2')
    const lock = await DestinationLock.acquire(out, 'holder1', '.shardscope-lock.worker-0-of-2')
    try {
      const busy = await cli('transform', ...caseArgs(out), '--worker', '0/2')
      expect(busy.code).toBe(2)
      expect(busy.stderr).toMatch(/Another conversion is writing to .*out \(process \d+ on this machine/)
    } finally {
      await lock.release()
    }
    expect((await cli('transform', ...caseArgs(out), '--worker', '0/2')).code).toBe(0)
    const again = await cli('transform', ...caseArgs(out), '--worker', '0/2', '--json')
    expect(JSON.parse(again.stdout).outputs.map((o: { skipped: boolean }) => o.skipped)).toEqual([true, true])
    expect(JSON.parse(again.stdout).worker).toMatchObject({ index: 0, count: 2, source: 'flag' })
  })

  it('refuses workers of another count or another conversion, and single runs beside workers', async () => {
    const out = join(tempDir(), 'out')
    expect((await cli('transform', ...caseArgs(out), '--worker', '0/2')).code).toBe(0)
    const otherCount = await cli('transform', ...caseArgs(out), '--worker', '1/3')
    expect(otherCount.code).toBe(2)
    expect(otherCount.stderr).toMatch(
      /holds worker 0\/2's share of a run with 2 workers .* worker 1\/3 belongs to a run with 3/
    )
    const otherConversion = await cli('transform', ...caseArgs(out), '--dtype', 'float16', '--worker', '1/2')
    expect(otherConversion.code).toBe(2)
    expect(otherConversion.stderr).toMatch(/holds worker 0\/2's share of another conversion/)
    const single = await cli('transform', ...caseArgs(out))
    expect(single.code).toBe(2)
    expect(single.stderr).toMatch(
      /holds the shares of a distributed conversion .*a single run does not write beside them/
    )

    const plain = join(tempDir(), 'plain')
    expect((await cli('transform', ...caseArgs(plain), '--rank', '0')).code).toBe(0)
    const beside = await cli('transform', ...caseArgs(plain), '--worker', '1/2')
    expect(beside.code).toBe(2)
    expect(beside.stderr).toMatch(/holds a conversion written by a single run/)
    expect((await cli('transform', ...caseArgs(plain), '--worker', '0/2', '--overwrite')).stderr).toMatch(
      /--overwrite is not for workers/
    )
    expect((await cli('transform', ...caseArgs(plain), '--worker', '0/2', '--rank', '1')).stderr).toMatch(
      /--rank is not for workers/
    )
    // Nothing of the refused runs was written.
    expect(Object.keys(outputHashes(out))).toEqual(['rank_0/checkpoint_0.ckpt', 'rank_2/checkpoint_2.ckpt'])
  })

  it('started together, workers of two conversions never both write the folder', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const out = join(tempDir(), 'out')
      const a = runCliProcess(['transform', ...caseArgs(out), '--worker', '0/2'])
      const b = runCliProcess(['transform', ...caseArgs(out), '--dtype', 'float16', '--worker', '1/2'])
      const [ra, rb] = await Promise.all([a.done, b.done])
      expect([ra.code, rb.code].filter((c) => c === 0).length, ra.stderr + rb.stderr).toBeLessThanOrEqual(1)
      expect([ra.code, rb.code].filter((c) => c !== 0).length).toBeGreaterThanOrEqual(1)
      const loser = ra.code === 0 ? rb : ra
      expect(loser.stderr).toMatch(/share of another conversion/)
      const manifests = readdirSync(out).filter((f) => f.startsWith('shardscope-manifest'))
      expect(manifests).toHaveLength(1)
    }
  })

  it('verify names an absent share unless --node, and a share whose output was damaged', async () => {
    const out = join(tempDir(), 'out')
    expect((await cli('transform', ...caseArgs(out), '--worker', '1/2')).code).toBe(0)
    const strict = await cli('verify', out)
    expect(strict.code).toBe(1)
    expect(strict.stdout).toMatch(
      /PROBLEM .*The share of worker 0\/2 \(destination ranks 0, 2\) is not in this folder/
    )
    const node = await cli('verify', out, '--node')
    expect(node.code, node.stdout).toBe(0)
    expect(node.stdout).toMatch(
      /1 of 2 shares in this folder \(1: ranks 1, 3\); the others are on other nodes/
    )

    const path = join(out, 'rank_3/checkpoint_3.ckpt')
    const bytes = readFileSync(path)
    bytes[100] = bytes[100]! ^ 1
    writeFileSync(path, bytes)
    const damaged = await cli('verify', out, '--node', '--json')
    expect(damaged.code).toBe(1)
    const report = JSON.parse(damaged.stdout)
    expect(report.outputs.find((o: { rank: number }) => o.rank === 3).status).toBe('checksum-mismatch')
    expect(report.shares.present).toHaveLength(1)
  })
})

describe('a worker killed mid-run', () => {
  it('is re-run alone and resumes; the merged manifest verifies and every output equals a local run', async () => {
    const root = tempDir()
    const { args } = await writeSyntheticConversion(root, 16, 1024)
    const out = join(root, 'out')
    const w0 = runCliProcess(['transform', '--dst', out, ...args, '--worker', '0/2'])
    const w1 = runCliProcess(['transform', '--dst', out, ...args, '--worker', '1/2'])
    await until(() => workerOutputs(out, 1, 2).length >= 1, "worker 1's first output")
    w1.child.kill('SIGKILL')
    expect((await w1.done).signal).toBe('SIGKILL')
    expect((await w0.done).code).toBe(0)
    const done = workerOutputs(out, 1, 2)
    expect(done.length).toBeGreaterThanOrEqual(1)
    expect(done.length).toBeLessThan(4)

    const broken = await cli('verify', out)
    expect(broken.code).toBe(1)
    expect(broken.stdout).toMatch(
      /of worker 1\/2's share (is|are) missing \(its last run did not finish\); re-run worker 1\/2/
    )

    const rerun = await cli('transform', '--dst', out, ...args, '--worker', '1/2', '--json')
    expect(rerun.code, rerun.stderr).toBe(0)
    const skipped = JSON.parse(rerun.stdout).outputs.filter((o: { skipped: boolean }) => o.skipped)
    expect(skipped.map((o: { output: string }) => o.output).sort()).toEqual(done.sort())

    expect((await cli('verify', out)).code).toBe(0)
    const local = join(root, 'local')
    expect((await cli('transform', '--dst', local, ...args)).code).toBe(0)
    expect(outputHashes(out)).toEqual(outputHashes(local))
    expect(Object.keys(outputHashes(out))).toHaveLength(8)
  })
})

describe('workers that follow a hostfile or rank table', () => {
  it('write the ranks this host loads; plan lists what each server reads; a host not in it is refused', async () => {
    const root = tempDir()
    const hosts = join(root, 'hosts')
    writeFileSync(hosts, `${hostname()} slots=2\nnot-this-host slots=2\n`)
    const out = join(root, 'out')
    const run = await cli('transform', ...caseArgs(out), '--hostfile', hosts, '--worker', '0/2')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(
      new RegExp(`worker 0/2 writes destination ranks 0, 1 \\(server ${hostname()}\\)`)
    )
    expect(Object.keys(outputHashes(out))).toEqual(['rank_0/checkpoint_0.ckpt', 'rank_1/checkpoint_1.ckpt'])
    const node = await cli('verify', out, '--node')
    expect(node.code).toBe(0)

    const plan = await cli(
      'plan',
      ...caseArgs(out).slice(0, 2),
      ...strategyFlags(CASE),
      '--workers',
      '2',
      '--hostfile',
      hosts
    )
    expect(plan.stdout).toMatch(/Workers: 2, one per server/)
    expect(plan.stdout).toMatch(
      new RegExp(
        `  ${hostname()}: rank_0 rank_1 rank_4 rank_5\\n  not-this-host: rank_2 rank_3 rank_6 rank_7`
      )
    )

    writeFileSync(hosts, 'elsewhere slots=4\n')
    const refused = await cli(
      'transform',
      ...caseArgs(join(root, 'x')),
      '--hostfile',
      hosts,
      '--worker',
      '0/1'
    )
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/has no server that is this host .*it lists elsewhere/)
    const count = await cli('transform', ...caseArgs(join(root, 'x')), '--hostfile', hosts, '--worker', '0/2')
    expect(count.stderr).toMatch(/sit on 1 server .* not 2/)
  })
})
