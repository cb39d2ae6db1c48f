// Push throughput against scp (and rsync when present) of the same files over the same link, as a ratio, and the
// bytes re-sent after an interrupted push. Runs on the test cluster of real sshd nodes (root: network namespaces).
//   node --import tsx bench/push.ts [--size 256MiB] [--files 4]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readClusterLayout } from '../src-main/services/cluster/cluster-files'
import { readConvertedFolder } from '../src-main/services/cluster/manifest-hashes'
import { runPush } from '../src-main/services/cluster/push'
import { planPush } from '../src-main/services/cluster/push-plan'
import { describeMode, startTestCluster } from '../test/helpers/cluster-nodes'
import { makeConvertedFolder, rankTableFor } from '../test/helpers/cluster-outputs'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const size = Number(arg('size', '128MiB').replace(/MiB$/i, '')) * 2 ** 20
const files = Number(arg('files', '4'))
const mib = (bytes: number, seconds: number) => `${(bytes / 2 ** 20 / seconds).toFixed(0)} MiB/s`

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sscl-bench-'))
  const cluster = await startTestCluster({ nodes: 1 })
  try {
    console.log(describeMode(cluster))
    const node = cluster.nodes[0]!
    const { folder } = makeConvertedFolder(dir, Array(files).fill(size))
    const model = await readClusterLayout(rankTableFor(dir, 1, files))
    const profile = cluster.profile()
    const total = size * files
    const plan = planPush(model, await readConvertedFolder(folder), profile, { name: 'bench' })
    let started = Date.now()
    await runPush(plan, { profile })
    const pushSeconds = (Date.now() - started) / 1000

    const ssh = [
      '-i',
      cluster.clientKey,
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      `UserKnownHostsFile=${join(dir, 'kh')}`,
      '-P',
      String(node.port)
    ]
    const sources = Array.from({ length: files }, (_, r) => join(folder, `rank_${r}/checkpoint_${r}.ckpt`))
    spawnSync('ssh', [
      '-i',
      cluster.clientKey,
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      `UserKnownHostsFile=${join(dir, 'kh')}`,
      '-p',
      String(node.port),
      `root@${node.address}`,
      `mkdir -p ${node.remoteRoot}/scp`
    ])
    started = Date.now()
    const scp = spawnSync('scp', ['-q', ...ssh, ...sources, `root@${node.address}:${node.remoteRoot}/scp/`])
    const scpSeconds = (Date.now() - started) / 1000
    if (scp.status !== 0) throw new Error(`scp failed: ${scp.stderr}`)
    console.log(
      `push ${files} × ${size / 2 ** 20} MiB: ${pushSeconds.toFixed(2)} s (${mib(total, pushSeconds)}), sent, verified on the node and published`
    )
    console.log(`scp of the same files: ${scpSeconds.toFixed(2)} s (${mib(total, scpSeconds)}), unverified`)
    console.log(`ratio push / scp throughput: ${(scpSeconds / pushSeconds).toFixed(2)}`)
    if (spawnSync('rsync', ['--version']).status === 0) {
      started = Date.now()
      spawnSync('rsync', [
        '-a',
        '-e',
        `ssh -i ${cluster.clientKey} -o StrictHostKeyChecking=no -o UserKnownHostsFile=${join(dir, 'kh')} -p ${node.port}`,
        ...sources,
        `root@${node.address}:${node.remoteRoot}/rsync/`
      ])
      const rsyncSeconds = (Date.now() - started) / 1000
      console.log(
        `rsync: ${rsyncSeconds.toFixed(2)} s; ratio push / rsync throughput: ${(rsyncSeconds / pushSeconds).toFixed(2)}`
      )
    } else console.log('rsync: not installed here, not compared')

    // Interrupted push: cancel once a file is partly on the node, resume, count what the two runs sent.
    const again = planPush(model, await readConvertedFolder(folder), profile, { name: 'bench-resume' })
    const controller = new AbortController()
    let sentFirst = 0
    await runPush(again, {
      profile,
      signal: controller.signal,
      onEvent: (e) => {
        sentFirst = Math.max(sentFirst, e.bytesSent)
        if (e.bytesSent > total / 3) controller.abort()
      }
    }).catch(() => undefined)
    const resumed = await runPush(again, { profile })
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
