// bench/transform: converts a synthetic 8-rank checkpoint (device matrix [2,4], bf16 weights and fp32 Adam
// moments with 7B-layer shapes) to 4 ranks ([4]) with the CLI as users run it (plain node, the bundle), and
// compares it with `cp -r` of the same source folder: after a warm-up, in pairs whose order alternates, warm
// (source in the page cache) and cold (page cache dropped before each side; needs root). Prints medians and
// spreads, the ratio, peak RSS, MB/s and the machine's load with every figure. Asserts nothing.
//
//   node --import tsx bench/transform.ts [--size 1GiB]... [--pairs 5] [--cold-pairs 3] [--jobs <n>]
//                                        [--dir <tmp>] [--keep]
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs'
import { availableParallelism, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadKernels } from '../src-main/engine/exec/kernels-select'
import { CLI, describeLoad, measuringLoad, median, mib, runNode, type LoadWindow } from './machine'
import { benchModel, writeBenchCheckpoint } from './transform-data'

const { values } = parseArgs({
  options: {
    size: { type: 'string', multiple: true },
    pairs: { type: 'string' },
    'cold-pairs': { type: 'string' },
    jobs: { type: 'string' },
    keep: { type: 'boolean' },
    dir: { type: 'string' }
  }
})
const sizes = (values.size ?? ['1GiB', '4GiB']).map(parseSize)
const pairs = Number(values.pairs ?? 5)
const coldPairs = Number(values['cold-pairs'] ?? 3)

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(MiB|GiB)$/i.exec(text)
  if (!match) throw new Error(`--size must look like 512MiB or 4GiB, got ${text}`)
  return Number(match[1]) * (match[2]!.toLowerCase() === 'gib' ? 1024 ** 3 : 1024 ** 2)
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0)
}

/** Empties the page cache (after writing dirty pages back), so the next reader goes to the disk. */
function dropCaches(): string | undefined {
  spawnSync('sync')
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3\n')
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

function timedCommand(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}`))
      else resolve(Number(process.hrtime.bigint() - started) / 1e9)
    })
  })
}

interface Sample {
  seconds: number
  load: LoadWindow
  peakRssBytes?: number
  /** CPU seconds of the transform process (all threads), which a loaded machine inflates less than wall time. */
  cpuSeconds?: number
}

interface Side {
  cp: Sample[]
  transform: Sample[]
}

async function main() {
  const kernels = loadKernels().name
  console.log(
    `bench/transform: dev [2,4] -> [4] with ${CLI} (plain node), ${kernels} kernels, jobs ${values.jobs ?? 'default'}; ` +
      `${availableParallelism()} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}`
  )
  console.log(
    `SHA-256 ${(sha256Throughput() / 1e6).toFixed(0)} MB/s per core here (outputs get XXH3-128 by default, SHA-256 only with --sha256). ` +
      `"others" is the CPU all other processes used meanwhile, kernel writeback included.`
  )
  for (const target of sizes) {
    const work = mkdtempSync(join(values.dir ?? tmpdir(), 'shardscope-bench-'))
    try {
      const params = benchModel(target)
      await writeBenchCheckpoint(work, params)
      const source = join(work, 'src')
      const sourceBytes = folderBytes(source)
      console.log(
        `\nsize ${(sourceBytes / 1024 ** 3).toFixed(2)} GiB: ${params.length} params, 8 rank files -> 4 (${work})`
      )
      const copy = join(work, 'copy')
      const out = join(work, 'out')
      const transformArgs = [
        'transform',
        '--src',
        source,
        '--dst',
        out,
        '--src-strategy',
        join(work, 'src_strategy.ckpt'),
        '--dst-strategy',
        join(work, 'dst_strategy.ckpt'),
        ...(values.jobs ? ['--jobs', values.jobs] : [])
      ]
      const runCp = async (): Promise<Sample> => {
        rmSync(copy, { recursive: true, force: true })
        spawnSync('sync')
        const { result, load } = await measuringLoad(() => timedCommand('cp', ['-r', source, copy]))
        return { seconds: result, load }
      }
      const runTransform = async (): Promise<Sample> => {
        rmSync(out, { recursive: true, force: true })
        spawnSync('sync')
        const { result, load } = await measuringLoad(() => runNode(CLI, transformArgs))
        if (result.outcome !== 'ok') throw new Error(`transform failed:\n${result.stderr}`)
        return {
          seconds: result.seconds,
          load,
          peakRssBytes: result.peakRssBytes,
          ...(result.cpuSeconds !== undefined ? { cpuSeconds: result.cpuSeconds } : {})
        }
      }

      const warmUp = [await runCp(), await runTransform()]
      console.log(
        `  warm-up  cp -r ${warmUp[0]!.seconds.toFixed(2)} s, transform ${warmUp[1]!.seconds.toFixed(2)} s (not counted)`
      )
      const warm = await alternate(pairs, runCp, runTransform)
      const outputBytes = folderBytes(out)
      report('warm', warm, sourceBytes, outputBytes)

      const cannotDrop =
        coldPairs === 0 ? undefined : process.getuid?.() === 0 ? dropCaches() : 'not running as root'
      if (coldPairs === 0) {
        report('cold', { cp: [], transform: [] }, sourceBytes, outputBytes)
      } else if (cannotDrop) {
        console.log(`  cold     not measured: the page cache cannot be dropped here (${cannotDrop})`)
      } else {
        const cold = await alternate(
          coldPairs,
          async () => (dropCaches(), runCp()),
          async () => (dropCaches(), runTransform())
        )
        report('cold', cold, sourceBytes, outputBytes)
      }
    } finally {
      if (!values.keep) rmSync(work, { recursive: true, force: true })
      else console.log(`kept ${work}`)
    }
  }
}

/** n pairs, cp first in even pairs and transform first in odd ones, so a drifting machine favours neither. */
async function alternate(
  n: number,
  cp: () => Promise<Sample>,
  transform: () => Promise<Sample>
): Promise<Side> {
  const side: Side = { cp: [], transform: [] }
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      side.cp.push(await cp())
      side.transform.push(await transform())
    } else {
      side.transform.push(await transform())
      side.cp.push(await cp())
    }
  }
  return side
}

function report(mode: string, side: Side, sourceBytes: number, outputBytes: number) {
  // --pairs 0 or --cold-pairs 0: nothing measured, nothing to take a median of.
  if (side.transform.length === 0) {
    console.log(`  ${mode.padEnd(8)} not measured (0 pairs asked for)`)
    return
  }
  const seconds = (samples: Sample[]) => samples.map((s) => s.seconds)
  const spread = (values: number[], digits = 2) =>
    `${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`
  const ratios = side.transform.map((t, i) => t.seconds / side.cp[i]!.seconds)
  const tMedian = median(seconds(side.transform))
  const peak = Math.max(...side.transform.map((s) => s.peakRssBytes ?? 0))
  const cpu = median(side.transform.map((s) => s.cpuSeconds ?? NaN))
  const loads = [...side.cp, ...side.transform].map((s) => s.load)
  const others = loads.map((l) => l.otherCores ?? NaN)
  console.log(
    [
      `  ${mode.padEnd(8)} ${side.cp.length} pairs: transform ${spread(seconds(side.transform))} s`,
      `cp -r ${spread(seconds(side.cp))} s`,
      `ratio ${spread(ratios)} (of medians ${(tMedian / median(seconds(side.cp))).toFixed(2)})`,
      `transform CPU ${cpu.toFixed(1)} s`,
      `peak RSS ${mib(peak)}`,
      `${(sourceBytes / tMedian / 1e6).toFixed(0)} MB/s read, ${(outputBytes / tMedian / 1e6).toFixed(0)} MB/s written`
    ].join(' | ')
  )
  console.log(
    `           machine: ${describeLoad({ loadBefore: loads[0]!.loadBefore, loadAfter: loads.at(-1)!.loadAfter, otherCores: median(others) })} (median of runs; max ${Math.max(...others).toFixed(2)})`
  )
}

function sha256Throughput(): number {
  const block = Buffer.alloc(256 << 20, 7)
  const started = process.hrtime.bigint()
  createHash('sha256').update(block).digest()
  return block.length / (Number(process.hrtime.bigint() - started) / 1e9)
}

void main()
