import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  serverAccess,
  withTrustedKey,
  type ClusterProfile
} from '../../src-main/engine/cluster/cluster-profile'
import { readClusterLayout } from '../../src-main/services/cluster/cluster-files'
import { readConvertedFolder } from '../../src-main/services/cluster/manifest-hashes'
import { runPush } from '../../src-main/services/cluster/push'
import { planPush } from '../../src-main/services/cluster/push-plan'
import { connectSsh } from '../../src-main/services/cluster/ssh-transport'
import { describeMode, startTestCluster, type TestCluster } from '../helpers/cluster-nodes'
import { makeConvertedFolder, rankTableFor } from '../helpers/cluster-outputs'

async function pushTo(cluster: TestCluster, dir: string, profile: ClusterProfile, name: string) {
  const { folder, sha256 } = makeConvertedFolder(dir, [30_000, 31_000, 32_000, 33_000])
  const model = await readClusterLayout(rankTableFor(dir, cluster.nodes.length, 2))
  const plan = planPush(model, await readConvertedFolder(folder), profile, { name })
  return { report: await runPush(plan, { profile }), sha256 }
}

function expectOnlyItsRanks(cluster: TestCluster, name: string, sha256: string[]) {
  for (const [node, ranks] of [
    [0, [0, 1]],
    [1, [2, 3]]
  ] as const) {
    for (const rank of [0, 1, 2, 3]) {
      const path = join(cluster.nodes[node]!.dataDir, name, `rank_${rank}/checkpoint_${rank}.ckpt`)
      expect(existsSync(path), `${path} on node ${node}`).toBe((ranks as readonly number[]).includes(rank))
      if (existsSync(path)) expect(readFileSync(path).length).toBe(30_000 + rank * 1000)
    }
  }
  expect(sha256).toHaveLength(4)
}

describe('SSH to a node behind a jump host, and the command shell', () => {
  let cluster: TestCluster
  let dir: string
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 2, behind: { 1: 0 } })
    console.log(`${describeMode(cluster)}; node-1 reachable only through node-0`)
    dir = mkdtempSync(join(tmpdir(), 'sscl-transport-'))
  })
  afterAll(async () => {
    await cluster?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs commands in one kept shell with what a session of their own would give: output, stderr, exit code', async () => {
    const transport = await connectSsh({
      server: 'node-0',
      access: serverAccess(cluster.profile(), 'node-0')
    })
    try {
      expect(await transport.exec("printf 'a\\nb'; echo oops >&2; exit 3")).toEqual({
        code: 3,
        stdout: 'a\nb',
        stderr: 'oops\n'
      })
      // One shell answers all of them ($$ is the shell's pid, also in a subshell)...
      const pids = new Set<string>()
      for (let i = 0; i < 3; i++) pids.add((await transport.exec('echo $$')).stdout)
      expect(pids.size).toBe(1)
      // ...and none can leave anything behind for the next: directory, variables, a read of the commands.
      await transport.exec('cd /tmp; SHARDSCOPE_X=1')
      const [where, variable, rest] = (
        await transport.exec('pwd; echo "${SHARDSCOPE_X:-unset}"; cat')
      ).stdout.split('\n')
      expect(where).not.toBe('/tmp')
      expect([variable, rest]).toEqual(['unset', ''])
      const broken = await transport.exec('if then fi (')
      expect(broken.code).not.toBe(0)
      expect(broken.stderr).not.toBe('')
      expect((await transport.exec('echo still here')).stdout).toBe('still here\n')
      // Several at once: one goes through the shell, the others get sessions of their own; all answer.
      const many = await Promise.all([1, 2, 3, 4].map((i) => transport.exec(`sleep 0.1; echo ${i}`)))
      expect(many.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n', '4\n'])
    } finally {
      await transport.close()
    }
  })

  it('pushes to a node only its jump host reaches, and pins an unknown jump host key as jump.hostKey', async () => {
    if (cluster.mode === 'netns') {
      // Without its jump host the node is not there at all.
      const direct = cluster.profile()
      delete direct.servers['node-1']!.jump
      const refused = await pushTo(cluster, dir, direct, 'direct')
      expect(refused.report.servers.find((s) => s.server === 'node-1')!.state).toBe('failed')
    }

    const unpinned = cluster.profile()
    delete unpinned.servers['node-1']!.jump!.hostKey
    const first = await pushTo(cluster, dir, unpinned, 'behind')
    const hidden = first.report.servers.find((s) => s.server === 'node-1')!
    expect(hidden.state).toBe('failed')
    expect(hidden.message).toMatch(
      /^The jump host \S+ of node-1 presented host key SHA256:\S+, which is not trusted yet/
    )
    expect(hidden.hostKey).toEqual({
      kind: 'unknown',
      fingerprint: cluster.nodes[0]!.hostKey,
      jump: true
    })
    const pinned = withTrustedKey(unpinned, 'node-1', hidden.hostKey!.fingerprint, true)
    expect(pinned.servers['node-1']!.jump!.hostKey).toBe(cluster.nodes[0]!.hostKey)
    expect(pinned.servers['node-1']!.hostKey).toBe(cluster.nodes[1]!.hostKey)

    const second = await pushTo(cluster, dir, pinned, 'behind')
    expect(second.report.servers.map((s) => s.state)).toEqual(['done', 'done'])
    expectOnlyItsRanks(cluster, 'behind', second.sha256)
  })
})

describe('the loopback fallback (several sshd on 127.0.0.1 with separate roots)', () => {
  let cluster: TestCluster
  let dir: string
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 2, mode: 'loopback' })
    console.log(describeMode(cluster))
    dir = mkdtempSync(join(tmpdir(), 'sscl-loopback-'))
  })
  afterAll(async () => {
    await cluster?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('pushes each node only its ranks, verified, into its own root', async () => {
    expect(cluster.mode).toBe('loopback')
    expect(new Set(cluster.nodes.map((n) => n.port)).size).toBe(2)
    const { report, sha256 } = await pushTo(cluster, dir, cluster.profile(), 'fallback')
    expect(report.servers.map((s) => s.state)).toEqual(['done', 'done'])
    expect(report.servers.every((s) => s.files.every((f) => f.outcome === 'sent'))).toBe(true)
    expectOnlyItsRanks(cluster, 'fallback', sha256)
  })
})
