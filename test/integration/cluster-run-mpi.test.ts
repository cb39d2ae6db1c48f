import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readWorkerProgress } from '../../src-main/engine/exec/worker-progress'
import { cli, cliProcess } from '../helpers/cli'
import { startTestCluster, type TestCluster } from '../helpers/cluster-nodes'
import { rankTableFor } from '../helpers/cluster-outputs'
import { tensorDifferences } from '../helpers/compare'
import { ORACLE } from '../helpers/fixtures'
import { ORACLE_CASES, strategyFlags } from '../helpers/oracle-cases'
import { writeSyntheticConversion } from '../helpers/synthetic'
import { CLI_BUNDLE, outputHashes, runCliProcess } from '../helpers/workers'

const CASE = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!
const hasMpirun = spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status === 0

/** mpirun's own flags for the test network: its daemons talk only over the test's bridge. */
const mpiFlags = (cluster: TestCluster) => [
  `--ssh=${cluster.sshCommand()}`,
  '--mpirun-arg=--mca',
  '--mpirun-arg=oob_tcp_if_include',
  `--mpirun-arg=${cluster.subnet}`
]

/** A command on a node, over the nodes' own sshd (as a user on that server would type it). */
function onNode(cluster: TestCluster, node: number, command: string) {
  const ssh = cluster.sshCommand().split(' ')
  return spawnSync(ssh[0]!, [...ssh.slice(1), cluster.nodes[node]!.address, command], {
    encoding: 'utf8',
    timeout: 120_000
  })
}

describe.runIf(hasMpirun)('a real OpenMPI run across namespace nodes', () => {
  let cluster: TestCluster
  beforeAll(async () => {
    cluster = await startTestCluster({
      nodes: 2,
      hostnames: true,
      network: { prefix: 'sscr', subnet: '10.232.' }
    })
    console.log(
      cluster.mode === 'netns'
        ? `MPI tests: 2 sshd nodes named node-0 and node-1 in network, mount and UTS namespaces on ${cluster.subnet}`
        : 'MPI tests skipped: network namespaces are not permitted here (needs root and ip netns)'
    )
    expect(cliProcess('--help').code).toBe(0)
  }, 120_000)
  afterAll(async () => {
    await cluster?.close()
  })

  it('rank table: each node writes only the ranks it loads to its private disk, equal to a local run and MindSpore', async (ctx) => {
    if (cluster.mode !== 'netns') return ctx.skip()
    const dir = join(cluster.scratch, 'rt')
    mkdirSync(dir)
    const table = rankTableFor(dir, 2, 2)
    const profile = join(dir, 'cluster.json')
    writeFileSync(profile, JSON.stringify(cluster.profile()))
    // The sources stay where they are: the fixtures folder, which both nodes see.
    const args = ['--src', join(ORACLE, CASE.name, 'src'), ...strategyFlags(CASE)]
    const launch = runCliProcess([
      'launch',
      '--launcher',
      'mpirun',
      '--workers',
      '2',
      ...args,
      '--dst',
      '/mnt/data/out',
      '--rank-table',
      table,
      '--cluster',
      profile,
      '--out',
      join(dir, 'launch'),
      ...mpiFlags(cluster),
      '--run'
    ])
    const result = await launch.done
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.stderr).toMatch(
      /worker 0\/2 \(detected OpenMPI: OMPI_COMM_WORLD_RANK=0, OMPI_COMM_WORLD_SIZE=2\)/
    )
    expect(readdirSync(join(dir, 'launch')).sort()).toEqual(['hostfile', 'mpirun.sh'])

    const local = join(dir, 'local')
    expect((await cli('transform', ...args, '--dst', local)).code).toBe(0)
    const localHashes = outputHashes(local)
    for (const node of [0, 1]) {
      const out = join(cluster.nodes[node]!.dataDir, 'out')
      const mine = [2 * node, 2 * node + 1].map((r) => `rank_${r}/checkpoint_${r}.ckpt`)
      // Only this node's ranks are on its disk; the other node's are really absent.
      expect(Object.keys(outputHashes(out))).toEqual(mine)
      for (const file of mine) {
        expect(outputHashes(out)[file]).toBe(localHashes[file])
        const rank = file.split('/')[0]!.slice(5)
        expect(
          await tensorDifferences(join(out, file), join(ORACLE, CASE.expected_checkpoints[rank]!))
        ).toEqual([])
      }
      // Verified on the node itself, which knows its share from its worker manifest.
      const verify = onNode(cluster, node, `${process.execPath} ${CLI_BUNDLE} verify /mnt/data/out --node`)
      expect(verify.status, verify.stdout + verify.stderr).toBe(0)
      expect(verify.stdout).toMatch(
        new RegExp(
          `1 of 2 shares in this folder \\(${node} node-${node}: ranks ${2 * node}, ${2 * node + 1}\\)`
        )
      )
    }
    // Without --node, a node's folder alone is not the whole conversion.
    const whole = await cli('verify', join(cluster.nodes[0]!.dataDir, 'out'))
    expect(whole.code).toBe(1)
    expect(whole.stdout).toMatch(/worker 1\/2 \(node-1\) \(destination ranks 2, 3\) is not in this folder/)
  }, 300_000)

  it('4 workers over 2 nodes into one shared folder, dealt by bytes: the merged output verifies and equals a local run', async (ctx) => {
    if (cluster.mode !== 'netns') return ctx.skip()
    const shared = join(cluster.scratch, 'shared')
    const { args } = await writeSyntheticConversion(shared, 8, 512)
    const out = join(shared, 'out')
    const hosts = cluster.nodes.map((n) => `${n.address}:2`).join(',')
    const launch = runCliProcess([
      'launch',
      '--launcher',
      'mpirun',
      '--workers',
      '4',
      ...args,
      '--dst',
      out,
      '--hosts',
      hosts,
      '--out',
      join(shared, 'launch'),
      ...mpiFlags(cluster),
      '--run'
    ])
    const result = await launch.done
    expect(result.code, result.stderr + result.stdout).toBe(0)
    const verify = await cli('verify', out)
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.stdout).toMatch(/Workers: 4 of 4 shares/)
    const local = join(cluster.scratch, 'local')
    expect((await cli('transform', '--dst', local, ...args)).code).toBe(0)
    expect(outputHashes(out)).toEqual(outputHashes(local))
    // Each worker said which host it ran on: two per node.
    const hostsRun = (await readWorkerProgress(out)).map((p) => `${p.worker.index}@${p.host}:${p.state}`)
    expect(hostsRun).toEqual([
      '0@node-0:complete',
      '1@node-0:complete',
      '2@node-1:complete',
      '3@node-1:complete'
    ])
    expect(existsSync(join(shared, 'launch/hostfile'))).toBe(true)
  }, 300_000)

  it("starts mpirun on a login node over the cluster bridge's SSH (pinned host key), its files copied there first", async (ctx) => {
    if (cluster.mode !== 'netns') return ctx.skip()
    const dir = join(cluster.scratch, 'login')
    mkdirSync(dir)
    const profile = join(dir, 'cluster.json')
    writeFileSync(profile, JSON.stringify(cluster.profile()))
    const hosts = cluster.nodes.map((n) => `${n.address}:1`).join(',')
    const launch = runCliProcess([
      'launch',
      '--launcher',
      'mpirun',
      '--workers',
      '2',
      '--src',
      join(ORACLE, CASE.name, 'src'),
      ...strategyFlags(CASE),
      '--dst',
      '/mnt/data/from-login',
      '--hosts',
      hosts,
      '--cluster',
      profile,
      '--out',
      join(dir, 'launch'),
      ...mpiFlags(cluster),
      '--run',
      '--login',
      'node-0',
      '--remote-dir',
      '/mnt/data/launch'
    ])
    const result = await launch.done
    expect(result.code, result.stderr + result.stdout).toBe(0)
    // The script and hostfile were copied to the login node's own disk and run there.
    expect(readdirSync(join(cluster.nodes[0]!.dataDir, 'launch')).sort()).toEqual(['hostfile', 'mpirun.sh'])
    expect(existsSync(join(cluster.nodes[1]!.dataDir, 'launch'))).toBe(false)
    for (const node of [0, 1]) {
      const verify = onNode(
        cluster,
        node,
        `${process.execPath} ${CLI_BUNDLE} verify /mnt/data/from-login --node`
      )
      expect(verify.status, verify.stdout + verify.stderr).toBe(0)
    }
  }, 300_000)
})
