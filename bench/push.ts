// Push throughput against scp (and rsync when installed) of the same files over the same link, and the bytes
// re-sent after an interrupted push. Runs on the test cluster of real sshd nodes (root: network namespaces).
// A loaded machine makes single runs meaningless, so push, scp and rsync alternate for --rounds rounds and the
// median of each round's ratio is printed, with the load average before and after.
//   node --import tsx bench/push.ts [--size 128MiB] [--files 4] [--rounds 5] [--per-server 2] [--jobs 4]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { readClusterLayout } from '../src-main/services/cluster/cluster-files'
import { readConvertedFolder } from '../src-main/services/cluster/manifest-hashes'
import { runPush } from '../src-main/services/cluster/push'
import { planPush } from '../src-main/services/cluster/push-plan'
import { describeMode, startTestCluster, type TestCluster } from '../test/helpers/cluster-nodes'
import { makeConvertedFolder, rankTableFor } from '../test/helpers/cluster-outputs'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const size = Number(arg('size', '128MiB').replace(/MiB$/i, '')) * 2 ** 20
const files = Number(arg('files', '4'))
const rounds = Number(arg('rounds', '5'))
const perServer = Number(arg('per-server', '2'))
const jobs = Number(arg('jobs', '4'))
const total = size * files
const mibps = (seconds: number) => (total / 2 ** 20 / seconds).toFixed(0)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const load = () => loadavg()[0]!.toFixed(1)

function timed(command: string, args: string[]): number {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e9
}

function sshOptions(cluster: TestCluster, dir: string): string[] {
  return [
    '-i',
    cluster.clientKey,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    `UserKnownHostsFile=${join(dir, 'known_hosts')}`
  ]
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sscl-bench-'))
  const cluster = await startTestCluster({ nodes: 1 })
  try {
    console.log(describeMode(cluster))
    const node = cluster.nodes[0]!
    const { folder } = makeConvertedFolder(dir, Array(files).fill(size))
    const model = await readClusterLayout(rankTableFor(dir, 1, files))
    const profile = cluster.profile()
    const sources = Array.from({ length: files }, (_, r) => join(folder, `rank_${r}/checkpoint_${r}.ckpt`))
    const ssh = sshOptions(cluster, dir)
    const remote = (path: string) => `root@${node.address}:${node.remoteRoot}/${path}`
    const hasRsync = spawnSync('rsync', ['--version']).status === 0
    const rsh = `ssh ${ssh.join(' ')} -p ${node.port}`
    timed('ssh', [...ssh, '-p', String(node.port), `root@${node.address}`, `mkdir -p ${node.remoteRoot}/scp`])
    console.log(
      `${files} × ${size / 2 ** 20} MiB, ${rounds} rounds, per server ${perServer}, jobs ${jobs}; load ${load()}`
    )
    const ratios: number[] = []
    const rsyncRatios: number[] = []
    for (let round = 0; round < rounds; round++) {
      const plan = planPush(model, await readConvertedFolder(folder), profile, { name: `bench-${round}` })
      const cpu = process.cpuUsage()
      const started = process.hrtime.bigint()
      await runPush(plan, { profile, perServer, jobs })
      const push = Number(process.hrtime.bigint() - started) / 1e9
      const used = process.cpuUsage(cpu)
      const scp = timed('scp', ['-q', ...ssh, '-P', String(node.port), ...sources, remote('scp/')])
      const rsync = hasRsync
        ? timed('rsync', ['-a', '--whole-file', '-e', rsh, ...sources, remote(`rsync-${round}/`)])
        : undefined
      // Each round starts from an empty node folder, as the first round did.
      timed('ssh', [
        ...ssh,
        '-p',
        String(node.port),
        `root@${node.address}`,
        `rm -rf ${node.remoteRoot}/bench-${round} ${node.remoteRoot}/rsync-${round} ${node.remoteRoot}/scp/*`
      ])
      ratios.push(scp / push)
      if (rsync !== undefined) rsyncRatios.push(rsync / push)
      console.log(
        `  round ${round + 1}: push ${push.toFixed(2)} s (${mibps(push)} MiB/s, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU here), scp ${scp.toFixed(2)} s (${mibps(scp)} MiB/s)${rsync !== undefined ? `, rsync ${rsync.toFixed(2)} s (${mibps(rsync)} MiB/s)` : ''}; load ${load()}`
      )
    }
    console.log(
      `median ratio push / scp throughput: ${median(ratios).toFixed(2)} (push verified on the node and published; scp unverified)`
    )
    if (hasRsync) console.log(`median ratio push / rsync throughput: ${median(rsyncRatios).toFixed(2)}`)
    else console.log('rsync: not installed here, not compared')

    // Interrupted push: cancel once a third has been acknowledged, resume, count what the two runs sent.
    const again = planPush(model, await readConvertedFolder(folder), profile, { name: 'bench-resume' })
    const controller = new AbortController()
    let sentFirst = 0
    await runPush(again, {
      profile,
      perServer,
      jobs,
      signal: controller.signal,
      onEvent: (e) => {
        sentFirst = Math.max(sentFirst, e.bytesSent)
        if (e.bytesSent > total / 3) controller.abort()
      }
    }).catch(() => undefined)
    const resumed = await runPush(again, { profile, perServer, jobs })
    const onNode = (r: number) =>
      statSync(join(node.dataDir, `bench-resume/rank_${r}/checkpoint_${r}.ckpt`)).size
    const landed = Array.from({ length: files }, (_, r) => onNode(r)).reduce((a, b) => a + b, 0)
    console.log(
      `interrupted push: ${sentFirst} bytes acknowledged before the cancel, ${resumed.bytesSent} sent on resume, ${sentFirst + resumed.bytesSent - landed} bytes re-sent in all (${landed} on the node)`
    )
  } finally {
    await cluster.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void main()
