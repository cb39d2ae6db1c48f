// The same conversion (8 source ranks [2,4] → 4 destination ranks [4], a 7B-style synthetic model) with 1, 2 and 4
// workers, printed as speedup over one worker: on this machine (workers as plain processes, as mpirun starts
// them) and across the emulated nodes (mpirun over ssh into network namespaces; root only). Each worker writes
// with one thread (--jobs 1), so the figure is about workers; one worker on all cores is shown for reference.
//   node --import tsx bench/cluster-scaling.ts [--size 1024MiB] [--repeat 2] [--no-nodes]
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestCluster, type TestCluster } from '../test/helpers/cluster-nodes'
import { CLI, describeLoad, measuringLoad, median, mib } from './machine'
import { benchModel, writeBenchCheckpoint } from './transform-data'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const size = Number(arg('size', '1024MiB').replace(/MiB$/i, '')) * 2 ** 20
const repeat = Number(arg('repeat', '2'))
const WORKERS = [1, 2, 4]

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)))
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${err}`))
    )
  })
}

async function timed(go: () => Promise<void>): Promise<{ seconds: number; load: string }> {
  const started = process.hrtime.bigint()
  const { load } = await measuringLoad(go)
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, load: describeLoad(load) }
}

type Results = Map<string, { seconds: number[]; load: string }>

const labelOf = (workers: number) =>
  workers === 0 ? '1 worker, all cores' : `${workers} worker${workers > 1 ? 's' : ''} × 1 thread`

function record(results: Results, label: string, t: { seconds: number; load: string }) {
  const entry = results.get(label) ?? { seconds: [], load: '' }
  entry.seconds.push(t.seconds)
  entry.load = t.load
  results.set(label, entry)
}

/** One line per setting; speedup is over the first (one worker). */
function report(title: string, results: Results, bytes: number) {
  console.log(`\n${title}`)
  const base = median([...results.values()][0]!.seconds)
  for (const [label, r] of results) {
    const s = median(r.seconds)
    const speedup = label === labelOf(1) ? '' : `  speedup ${(base / s).toFixed(2)}×`
    console.log(
      `  ${label.padEnd(24)} ${s.toFixed(2).padStart(6)} s  ${mib(bytes / s).padStart(8)}/s${speedup.padEnd(17)}  (${r.load})`
    )
  }
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'sscr-bench-'))
  let cluster: TestCluster | undefined
  try {
    const params = benchModel(size)
    await writeBenchCheckpoint(root, params)
    const base = [
      '--src',
      join(root, 'src'),
      '--src-strategy',
      join(root, 'src_strategy.ckpt'),
      '--dst-strategy',
      join(root, 'dst_strategy.ckpt')
    ]
    console.log(
      `cluster scaling: ${mib(size)} checkpoint, 8 → 4 ranks, ${availableParallelism()} cores, ${repeat} runs each (median)`
    )
    let n = 0
    const fresh = () => join(root, `out-${n++}`)
    const clean = (dir: string) => rmSync(dir, { recursive: true, force: true })
    // Warm the page cache and the CLI bundle: every figure below reads cached sources.
    const warm = fresh()
    await run(process.execPath, [CLI, 'transform', ...base, '--dst', warm])
    clean(warm)

    const local: Results = new Map()
    for (let r = 0; r < repeat; r++)
      for (const workers of [...WORKERS, 0]) {
        const dst = fresh()
        const t = await timed(async () => {
          if (workers === 0) return run(process.execPath, [CLI, 'transform', ...base, '--dst', dst])
          await Promise.all(
            Array.from({ length: workers }, (_, i) =>
              run(process.execPath, [
                CLI,
                'transform',
                ...base,
                '--dst',
                dst,
                '--jobs',
                '1',
                '--worker',
                `${i}/${workers}`
              ])
            )
          )
        })
        await run(process.execPath, [CLI, 'verify', dst])
        clean(dst)
        record(local, labelOf(workers), t)
      }
    report('This machine (worker processes):', local, size)

    if (process.argv.includes('--no-nodes')) return
    cluster = await startTestCluster({
      nodes: 2,
      hostnames: true,
      network: { prefix: 'sscr', subnet: '10.232.' }
    })
    if (cluster.mode !== 'netns') {
      console.log('\nAcross emulated nodes: skipped (needs root and network namespaces).')
      return
    }
    const shared = join(cluster.scratch, 'shared')
    mkdirSync(shared, { recursive: true })
    const nodes: Results = new Map()
    for (let r = 0; r < repeat; r++)
      for (const workers of WORKERS) {
        const hosts =
          workers === 1
            ? `${cluster.nodes[0]!.address}:1`
            : cluster.nodes.map((node) => `${node.address}:${workers / 2}`).join(',')
        const dst = join(shared, `out-${n++}`)
        const launch = join(shared, `launch-${n}`)
        const t = await timed(() =>
          run(process.execPath, [
            CLI,
            'launch',
            '--launcher',
            'mpirun',
            '--workers',
            String(workers),
            ...base,
            '--dst',
            dst,
            '--jobs',
            '1',
            '--hosts',
            hosts,
            `--ssh=${cluster!.sshCommand()}`,
            '--mpirun-arg=--mca',
            '--mpirun-arg=oob_tcp_if_include',
            `--mpirun-arg=${cluster!.subnet}`,
            '--out',
            launch,
            '--run'
          ])
        )
        await run(process.execPath, [CLI, 'verify', dst])
        clean(dst)
        record(nodes, labelOf(workers), t)
      }
    report('Across 2 emulated nodes (mpirun over ssh, one machine underneath):', nodes, size)
  } finally {
    await cluster?.close()
    rmSync(root, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
