// bench/transform: converts a synthetic 8-rank checkpoint (device matrix [2,4], bf16 weights and fp32 Adam
// moments with 7B-layer shapes) to 4 ranks ([4]) and compares the wall time with `cp -r` of the same source
// folder on the same machine in the same run. Prints figures; asserts nothing.
//
//   node --import tsx bench/transform.ts [--size 1GiB] [--size 4GiB] [--jobs <n>] [--keep]
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { availableParallelism, tmpdir } from 'node:os'
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchModel, writeBenchCheckpoint } from './transform-data'

const { values } = parseArgs({
  options: {
    size: { type: 'string', multiple: true },
    jobs: { type: 'string' },
    keep: { type: 'boolean' },
    dir: { type: 'string' }
  }
})
const sizes = (values.size ?? ['1GiB', '4GiB']).map(parseSize)
const root = join(__dirname, '..')

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

function timed(command: string, args: string[]): { seconds: number; stderr: string; status: number | null } {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    stderr: result.stderr,
    status: result.status
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0)

/** SHA-256 of every output byte is part of the job (the manifest); its speed here bounds the conversion's. */
function sha256Throughput(): number {
  const block = Buffer.alloc(256 << 20, 7)
  const started = process.hrtime.bigint()
  createHash('sha256').update(block).digest()
  return block.length / (Number(process.hrtime.bigint() - started) / 1e9)
}

async function main() {
  console.log(
    `bench/transform: dev [2,4] -> [4], ${process.env.SHARDSCOPE_KERNELS ?? 'default'} kernels, jobs ${values.jobs ?? 'default'}, ${availableParallelism()} cores`
  )
  console.log(
    `this machine: SHA-256 ${mb(sha256Throughput())} MB/s per core (every output byte is hashed for the manifest)`
  )
  for (const target of sizes) {
    const work = mkdtempSync(join(values.dir ?? tmpdir(), 'shardscope-bench-'))
    try {
      const params = benchModel(target)
      await writeBenchCheckpoint(work, params)
      const source = join(work, 'src')
      const sourceBytes = folderBytes(source)
      spawnSync('sync')
      const cp = timed('cp', ['-r', source, join(work, 'copy')])
      rmSync(join(work, 'copy'), { recursive: true, force: true })
      spawnSync('sync')
      const args = [
        '--import',
        'tsx',
        join(root, 'bench/transform-child.ts'),
        'transform',
        '--src',
        source,
        '--dst',
        join(work, 'out')
      ]
      args.push(
        '--src-strategy',
        join(work, 'src_strategy.ckpt'),
        '--dst-strategy',
        join(work, 'dst_strategy.ckpt')
      )
      if (values.jobs) args.push('--jobs', values.jobs)
      const run = timed(process.execPath, args)
      const report = JSON.parse(/@@bench (.*)/.exec(run.stderr)?.[1] ?? '{}') as {
        code?: number
        maxRssBytes?: number
      }
      if (run.status !== 0) throw new Error(`transform failed:\n${run.stderr}`)
      const outputBytes = folderBytes(join(work, 'out'))
      console.log(
        [
          `size ${(sourceBytes / 1024 ** 3).toFixed(2)} GiB (${params.length} params, 8 rank files -> 4)`,
          `transform ${run.seconds.toFixed(2)} s`,
          `cp -r ${cp.seconds.toFixed(2)} s`,
          `ratio ${(run.seconds / cp.seconds).toFixed(2)}`,
          `peak RSS ${((report.maxRssBytes ?? 0) / 1024 ** 2).toFixed(0)} MiB`,
          `${mb(sourceBytes / run.seconds)} MB/s read, ${mb(outputBytes / run.seconds)} MB/s written`
        ].join(' | ')
      )
    } finally {
      if (!values.keep) rmSync(work, { recursive: true, force: true })
      else console.log(`kept ${work}`)
    }
  }
}

void main()
