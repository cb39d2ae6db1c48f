import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClusterProfile } from '../../src-main/engine/cluster/cluster-profile'
import { readClusterLayout, readClusterProfile } from '../../src-main/services/cluster/cluster-files'
import { readConvertedFolder } from '../../src-main/services/cluster/manifest-hashes'
import { runPush } from '../../src-main/services/cluster/push'
import { planPush } from '../../src-main/services/cluster/push-plan'
import { cli } from '../helpers/cli'
import { describeMode, startTestCluster, type TestCluster } from '../helpers/cluster-nodes'
import { makeConvertedFolder, rankTableFor } from '../helpers/cluster-outputs'

const ROOT = join(__dirname, '../..')
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

async function pushFolder(
  cluster: TestCluster,
  dir: string,
  folder: string,
  options: { name?: string; profile?: ClusterProfile; nodes?: number } = {}
) {
  const model = await readClusterLayout(rankTableFor(dir, options.nodes ?? cluster.nodes.length, 2))
  const profile = options.profile ?? cluster.profile()
  const plan = planPush(model, await readConvertedFolder(folder), profile, { name: options.name ?? 'model' })
  return runPush(plan, { profile })
}

describe('push to real sshd nodes', () => {
  let cluster: TestCluster
  let dir: string
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, npuSmi: { 0: '910b', 1: '310p' } })
    console.log(describeMode(cluster))
    dir = mkdtempSync(join(tmpdir(), 'sscl-push-'))
  })
  afterAll(async () => {
    await cluster?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends each node only its ranks, verifies them there, writes the marker last, records SHA-256 (manifest v2)', async () => {
    const strategy = join(dir, 'dst_strategy.ckpt')
    writeFileSync(strategy, 'strategy bytes')
    const { folder, sha256, xxh3 } = makeConvertedFolder(
      dir,
      [40_000, 50_000, 60_000, 70_000, 80_000, 90_000],
      {
        manifestVersion: 2,
        strategy
      }
    )
    const report = await pushFolder(cluster, dir, folder, { name: 'llama' })
    expect(report.servers.map((s) => s.state)).toEqual(['done', 'done', 'done'])
    expect(report.servers[0]!.hashTool).toMatch(/openssl|sha256sum/)
    for (let node = 0; node < 3; node++) {
      const root = join(cluster.nodes[node]!.dataDir, 'llama')
      expect(readdirSync(root).sort()).toEqual(
        ['.shardscope-complete.json', 'strategy', `rank_${2 * node}`, `rank_${2 * node + 1}`].sort()
      )
      for (const rank of [2 * node, 2 * node + 1])
        expect(sha(join(root, `rank_${rank}/checkpoint_${rank}.ckpt`))).toBe(sha256[rank])
      const marker = JSON.parse(readFileSync(join(root, '.shardscope-complete.json'), 'utf8'))
      expect(marker.files.map((f: { path: string }) => f.path)).toEqual([
        `rank_${2 * node}/checkpoint_${2 * node}.ckpt`,
        `rank_${2 * node + 1}/checkpoint_${2 * node + 1}.ckpt`,
        'strategy/dst_strategy.ckpt'
      ])
    }
    // Ranks of other nodes are really absent: each sshd sees only its own /mnt/data.
    expect(existsSync(join(cluster.nodes[0]!.dataDir, 'llama/rank_2'))).toBe(false)
    const manifest = JSON.parse(readFileSync(join(folder, 'shardscope-manifest.json'), 'utf8'))
    expect(manifest.outputs['rank_3/checkpoint_3.ckpt'].hashes).toEqual({
      xxh3_128: xxh3[3],
      sha256: sha256[3]
    })
    expect(report.recordedHashes).toBe(6)

    const again = await pushFolder(cluster, dir, folder, { name: 'llama' })
    expect(again.servers.every((s) => s.alreadyComplete && s.state === 'done')).toBe(true)
    expect(again.bytesSent).toBe(0)
  })

  it('finds a byte flipped on a node and sends that file again', async () => {
    const { folder, sha256 } = makeConvertedFolder(
      dir + '/flip',
      [30_000, 30_000, 30_000, 30_000, 30_000, 30_000]
    )
    await pushFolder(cluster, dir, folder, { name: 'flip' })
    const target = join(cluster.nodes[1]!.dataDir, 'flip/rank_3/checkpoint_3.ckpt')
    const bytes = readFileSync(target)
    bytes[1234] = bytes[1234]! ^ 0xff
    writeFileSync(target, bytes)
    const report = await pushFolder(cluster, dir, folder, { name: 'flip' })
    const node1 = report.servers[1]!
    expect(node1.files.find((f) => f.relativePath === 'rank_3/checkpoint_3.ckpt')!.outcome).toBe(
      'resent-after-mismatch'
    )
    expect(node1.files.find((f) => f.relativePath === 'rank_2/checkpoint_2.ckpt')!.outcome).toBe(
      'already-verified'
    )
    expect(node1.bytesSent).toBe(30_000)
    expect(sha(target)).toBe(sha256[3])
  })

  it('moves a stale .ckpt out of a destination rank_N/ so only the new one stays', async () => {
    const stale = join(cluster.nodes[2]!.dataDir, 'stale/rank_5')
    mkdirSync(stale, { recursive: true })
    writeFileSync(join(stale, 'zz_old_checkpoint_5.ckpt'), 'old and lexicographically last')
    const { folder } = makeConvertedFolder(dir + '/stale', [10, 10, 10, 10, 10, 10])
    const report = await pushFolder(cluster, dir, folder, { name: 'stale' })
    expect(report.servers[2]!.movedAside).toEqual(['rank_5/zz_old_checkpoint_5.ckpt'])
    expect(readdirSync(stale)).toEqual(['checkpoint_5.ckpt'])
    const replaced = join(cluster.nodes[2]!.dataDir, 'stale/.shardscope-replaced')
    expect(readdirSync(join(replaced, readdirSync(replaced)[0]!, 'rank_5'))).toEqual([
      'zz_old_checkpoint_5.ckpt'
    ])
  })

  it('refuses an unknown host key with its fingerprint, uses it once trusted and pins it; refuses a changed key', async () => {
    const { folder } = makeConvertedFolder(dir + '/keys', [100, 100, 100, 100, 100, 100])
    const table = rankTableFor(dir, 3, 2)
    const profilePath = join(dir, 'cluster.json')
    const profile = cluster.profile(false)
    writeFileSync(profilePath, JSON.stringify(profile))
    const base = ['push', '--out', folder, '--rank-table', table, '--cluster', profilePath, '--name', 'keys']
    const first = await cli(...base)
    expect(first.code).toBe(1)
    expect(first.stdout).toContain('not trusted yet')
    expect(first.stdout + first.stderr).toContain(cluster.nodes[0]!.hostKey)
    expect(existsSync(join(cluster.nodes[0]!.dataDir, 'keys'))).toBe(false)

    const trust = cluster.nodes.flatMap((n) => ['--trust-host', `${n.name}=${n.hostKey}`])
    const second = await cli(...base, ...trust)
    expect(second.code).toBe(0)
    expect(second.stderr).toContain(`pinned host key of node-0 (${cluster.nodes[0]!.hostKey})`)
    const pinned = await readClusterProfile(profilePath)
    expect(pinned.servers['node-1']!.hostKey).toBe(cluster.nodes[1]!.hostKey)

    const wrong = {
      ...pinned,
      servers: {
        ...pinned.servers,
        'node-2': { ...pinned.servers['node-2'], hostKey: cluster.nodes[0]!.hostKey }
      }
    }
    writeFileSync(profilePath, JSON.stringify(wrong))
    const changed = await cli(...base)
    expect(changed.code).toBe(1)
    expect(changed.stdout).toContain('but the cluster profile pins')
  })

  it('probes npu-smi over SSH: 910B and 310P layouts, and a node without npu-smi', async () => {
    const table = rankTableFor(dir, 3, 2)
    const profilePath = join(dir, 'probe.json')
    writeFileSync(profilePath, JSON.stringify(cluster.profile()))
    const { folder } = makeConvertedFolder(dir + '/probe', [1000, 1000, 1000, 1000, 1000, 1000])
    const result = await cli(
      'probe',
      '--rank-table',
      table,
      '--cluster',
      profilePath,
      '--out',
      folder,
      '--json'
    )
    const { probes, fits } = JSON.parse(result.stdout)
    expect(probes[0]).toMatchObject({ server: 'node-0', status: 'ok' })
    expect(probes[0].npus).toHaveLength(8)
    expect(probes[0].npus[5]).toMatchObject({ deviceId: 5, memoryKind: 'HBM', totalBytes: 64 * 2 ** 30 })
    expect(probes[1].npus.map((n: { memoryKind: string }) => n.memoryKind)).toEqual([
      'DDR',
      'DDR',
      'DDR',
      'DDR'
    ])
    expect(probes[2]).toMatchObject({ server: 'node-2', status: 'no-npu-smi' })
    expect(fits[1].message).toBe('rank 1: 1000 B shard, NPU 1 on node-0 has 64.0 GiB, 60.8 GiB free')
    expect(result.code).toBe(1)
  })

  it('resumes a killed push from the checked prefix without re-sending verified bytes', async () => {
    const size = 3 * 1024 * 1024
    const { folder, sha256 } = makeConvertedFolder(dir + '/kill', [size, size, 1000, 1000, 1000, 1000])
    const table = rankTableFor(dir, 3, 2)
    const profilePath = join(dir, 'kill.json')
    writeFileSync(profilePath, JSON.stringify(cluster.profile()))
    cluster.slowLink(0, cluster.mode === 'netns' ? '8mbit' : '1gbit')
    // The installed command (the launcher and its bundle: plain node, no TypeScript loader to start first).
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/shardscope.cjs'),
        'push',
        '--out',
        folder,
        '--rank-table',
        table,
        '--cluster',
        profilePath,
        '--name',
        'kill',
        '--jobs',
        '1'
      ],
      { cwd: ROOT, stdio: 'ignore' }
    )
    const partial = join(cluster.nodes[0]!.dataDir, 'kill/.shardscope-incoming/rank_0/checkpoint_0.ckpt')
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && !(existsSync(partial) && statSync(partial).size > 512 * 1024))
      await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const leftBehind = statSync(partial).size
    expect(leftBehind).toBeGreaterThan(0)
    expect(leftBehind).toBeLessThan(size)
    expect(existsSync(join(cluster.nodes[0]!.dataDir, 'kill/rank_0'))).toBe(false)

    // The resume needs no slow link, nor do the tests after this one.
    cluster.clearLink(0)
    const report = await pushFolder(cluster, dir, folder, { name: 'kill' })
    const file = report.servers[0]!.files.find((f) => f.relativePath === 'rank_0/checkpoint_0.ckpt')!
    expect(file.outcome).toBe('resumed')
    expect(file.resumedFrom).toBeGreaterThanOrEqual(leftBehind - 0)
    expect(file.sentBytes).toBe(size - file.resumedFrom)
    console.log(
      `kill and resume: ${leftBehind} bytes were on node-0 when the push was killed; the resumed push sent ${file.sentBytes} of ${size}, re-sending ${file.resumedFrom + file.sentBytes - size} bytes`
    )
    expect(sha(join(cluster.nodes[0]!.dataDir, 'kill/rank_0/checkpoint_0.ckpt'))).toBe(sha256[0])
  })

  it('an unreachable server does not stop the others; the push says which are done', async () => {
    await cluster.stopNode(2)
    const { folder } = makeConvertedFolder(dir + '/down', [100, 100, 100, 100, 100, 100])
    const table = rankTableFor(dir, 3, 2)
    const profilePath = join(dir, 'down.json')
    writeFileSync(profilePath, JSON.stringify(cluster.profile()))
    const result = await cli(
      'push',
      '--out',
      folder,
      '--rank-table',
      table,
      '--cluster',
      profilePath,
      '--name',
      'down'
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Done: node-0, node-1. Not done: node-2')
    expect(result.stdout).toMatch(/node-2: cannot reach/)
    expect(existsSync(join(cluster.nodes[1]!.dataDir, 'down/.shardscope-complete.json'))).toBe(true)
  })
})

describe('shared storage and a full disk', () => {
  let cluster: TestCluster
  let dir: string
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, shared: [0, 1], smallDisk: { node: 2, bytes: 200 * 1024 } })
    dir = mkdtempSync(join(tmpdir(), 'sscl-shared-'))
  })
  afterAll(async () => {
    await cluster?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('detects two nodes on one storage and writes once; a full node disk names the server and path and publishes nothing', async () => {
    const { folder } = makeConvertedFolder(dir, [50_000, 50_000, 50_000, 50_000, 150_000, 150_000])
    const report = await pushFolder(cluster, dir, folder, { name: 'both' })
    expect(report.sharedStorage).toEqual([['node-0', 'node-1']])
    expect(report.servers[1]).toMatchObject({ state: 'done', sharedWith: 'node-0', bytesSent: 0 })
    expect(report.servers[0]!.bytesSent).toBe(200_000)
    expect(readdirSync(join(cluster.nodes[0]!.dataDir, 'both')).sort()).toEqual([
      '.shardscope-complete.json',
      'rank_0',
      'rank_1',
      'rank_2',
      'rank_3'
    ])
    if (cluster.mode === 'netns') {
      expect(report.servers[2]!.state).toBe('failed')
      expect(report.servers[2]!.message).toMatch(
        /^node-2: the disk holding \/mnt\/data\/both .*full.*nothing was published there\.$/
      )
      const nodeView = cluster.hostPath(2, '/mnt/data/both')
      expect(existsSync(join(nodeView, 'rank_4'))).toBe(false)
      expect(existsSync(join(nodeView, '.shardscope-complete.json'))).toBe(false)
    }
  })
})
