// Would mmap of the source files through the addon beat pread into the slab for the strided copy path?
// node --import tsx bench/strided-read.ts
// Builds bench/strided-read.cc (C++: cover / per-run pread / mmap, warm and cold), then measures the same
// gathers from JavaScript the way the executor does them today: LocalFileSource.readInto plus copyBox.
// Figures only: nothing here is wired into the executor.
import { execFileSync, spawnSync } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadKernels } from '../src-main/engine/exec/kernels-select'
import { LocalFileSource } from '../src-main/engine/io/local-file'

const FILE_BYTES = 256 * 1024 * 1024
const READ_BUFFER_BYTES = 16 * 1024 * 1024
// [run, stride]: short runs; tensor-parallel 8 and 2 of a 2048-wide float32 matrix; long sparse runs.
const LAYOUTS: [number, number][] = [
  [64, 512],
  [1024, 8192],
  [4096, 8192],
  [65536, 524288],
  [1 << 20, 8 << 20]
]

const dir = mkdtempSync(join(tmpdir(), 'shardscope-bench-strided-'))
const file = join(dir, 'source.bin')
const program = join(dir, 'strided-read')

function writeSource(): void {
  const fd = openSync(file, 'w')
  const block = new Uint8Array(16 * 1024 * 1024)
  for (let at = 0; at < FILE_BYTES; at += block.length)
    writeSync(fd, randomFillSync(block), 0, block.length, at)
  closeSync(fd)
}

function dropFromCache(): void {
  execFileSync(program, ['--drop', file])
}

/** Today's strided path: whole strides through one read buffer, then copyBox into the slab. */
async function cover(source: LocalFileSource, run: number, stride: number, slab: Uint8Array): Promise<void> {
  const kernels = loadKernels()
  const runs = Math.floor((FILE_BYTES - run) / stride) + 1
  const perWindow = Math.max(1, Math.floor(READ_BUFFER_BYTES / stride))
  const buffer = new Uint8Array(READ_BUFFER_BYTES)
  for (let first = 0; first < runs; first += perWindow) {
    const count = Math.min(perWindow, runs - first)
    await source.readInto(buffer, 0, (count - 1) * stride + run, first * stride)
    kernels.copyBox({
      src: buffer,
      srcShape: [count, stride / 4],
      srcBase: 0,
      srcStart: [0, 0],
      dst: slab,
      dstShape: [runs, run / 4],
      dstBase: 0,
      dstStart: [first, 0],
      extent: [count, run / 4],
      elementBytes: 4
    })
  }
}

/** One positional read per run, straight into the slab. */
async function perRun(source: LocalFileSource, run: number, stride: number, slab: Uint8Array): Promise<void> {
  const runs = Math.floor((FILE_BYTES - run) / stride) + 1
  for (let i = 0; i < runs; i++) await source.readInto(slab, i * run, run, i * stride)
}

/**
 * MB/s of `bytes` for each gather, best of several rounds that alternate them (round 0 warms up): per
 * CPU-second of this process when warm (steadier on a busy host), per wall-clock second when cold.
 */
async function bestMegabytesPerSecond(
  bytes: number,
  cold: boolean,
  gathers: (() => Promise<void>)[]
): Promise<number[]> {
  const best = gathers.map(() => Infinity)
  for (let round = 0; round < (cold ? 4 : 6); round++) {
    for (const [index, gather] of gathers.entries()) {
      if (cold) dropFromCache()
      const started = process.hrtime.bigint()
      const cpu = process.cpuUsage()
      await gather()
      const used = process.cpuUsage(cpu)
      const seconds = cold ? Number(process.hrtime.bigint() - started) / 1e9 : (used.user + used.system) / 1e6
      if (round > 0) best[index] = Math.min(best[index]!, seconds)
    }
  }
  return best.map((seconds) => bytes / seconds / 1e6)
}

async function main(): Promise<void> {
  try {
    writeSource()
    execFileSync('g++', ['-O3', '-std=c++17', '-o', program, join(__dirname, 'strided-read.cc')])
    console.log(`C++, ${FILE_BYTES >> 20} MiB source file in ${tmpdir()}:`)
    const args = [file, ...LAYOUTS.map(([run, stride]) => `${run}:${stride}`)]
    spawnSync(program, args, { stdio: 'inherit' })
    const source = await LocalFileSource.open(file)
    console.log(`\nJavaScript as the executor reads today (kernels: ${loadKernels().name}):`)
    console.log(`${'runs'.padEnd(26)} ${'cache'.padEnd(11)} ${'cover'.padStart(9)} ${'per-run'.padStart(9)}`)
    for (const [run, stride] of LAYOUTS) {
      const runs = Math.floor((FILE_BYTES - run) / stride) + 1
      const slab = new Uint8Array(runs * run)
      for (const cold of [false, true]) {
        const gathers = [() => cover(source, run, stride, slab)]
        // Hundreds of thousands of awaited reads take minutes; the executor never does that either.
        if (runs <= 65536) gathers.push(() => perRun(source, run, stride, slab))
        const [viaCover = NaN, viaRuns = NaN] = await bestMegabytesPerSecond(slab.length, cold, gathers)
        const label = `${run} B of every ${stride} B`.padEnd(26)
        const figures = [viaCover, viaRuns].map((f) => (Number.isNaN(f) ? '-' : f.toFixed(0)).padStart(9))
        console.log(`${label} ${(cold ? 'cold, wall' : 'warm, CPU').padEnd(11)} ${figures.join(' ')}`)
      }
    }
    await source.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

void main()
