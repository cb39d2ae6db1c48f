// Throughput of the executor's kernels, JavaScript and native side by side: node --import tsx bench/kernels.ts
// copyBox counts the bytes of the box; castFloats counts source bytes; file copies count the bytes copied.
// Best of several timed repetitions.
import { randomFillSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyByteRange, type RangeCopyOptions } from '../src-main/engine/io/kernel-copy'
import type { CopyBoxArgs, FloatDtype, Kernels } from '../src-main/engine/exec/kernels'
import { jsKernels, loadNativeKernels } from '../src-main/engine/exec/kernels-select'

const MIN_SECONDS = 1
const native = loadNativeKernels()
const contenders: Kernels[] = [jsKernels, ...('kernels' in native ? [native.kernels] : [])]

function megabytesPerSecond(bytes: number, run: () => void): number {
  run() // warm-up: JIT tiers and first-touch page faults stay out of the figure
  let best = Infinity
  let spent = 0
  while (spent < MIN_SECONDS) {
    const started = process.hrtime.bigint()
    run()
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    best = Math.min(best, seconds)
    spent += seconds
  }
  return bytes / best / 1e6
}

/** A column block [rows, columns] out of a [rows, totalColumns] float32 matrix into its own shard. */
function columnBlock(rows: number, columns: number, totalColumns: number): CopyBoxArgs {
  return {
    src: new Uint8Array(rows * totalColumns * 4).fill(7),
    srcShape: [rows, totalColumns],
    srcBase: 0,
    srcStart: [0, totalColumns - columns],
    dst: new Uint8Array(rows * columns * 4),
    dstShape: [rows, columns],
    dstBase: 0,
    dstStart: [0, 0],
    extent: [rows, columns],
    elementBytes: 4
  }
}

const copyCases: [string, CopyBoxArgs][] = [
  ['contiguous 64 MiB', columnBlock(4096, 4096, 4096)],
  ['2-D column block, 4 B runs', columnBlock(4 << 20, 1, 4)],
  ['2-D column block, 64 B runs', columnBlock(1 << 20, 16, 64)],
  ['2-D column block, 4 KiB runs', columnBlock(16384, 1024, 2048)]
]

/** Weight-like float32 data: mostly small normals around zero, as in a trained checkpoint. */
function weightLikeFloat32(count: number): Uint8Array {
  const values = new Float32Array(count)
  for (let i = 0; i < count; i++) values[i] = (Math.random() + Math.random() + Math.random() - 1.5) * 0.05
  return new Uint8Array(values.buffer)
}

const ELEMENT_BYTES: Record<FloatDtype, number> = { Float16: 2, BFloat16: 2, Float32: 4, Float64: 8 }
const CAST_ELEMENTS = 16 << 20
const float32Source = weightLikeFloat32(CAST_ELEMENTS)
const bFloat16Source = new Uint8Array(CAST_ELEMENTS * 2)
jsKernels.castFloats(float32Source, 'Float32', bFloat16Source, 'BFloat16', CAST_ELEMENTS)
const castCases: [FloatDtype, Uint8Array, FloatDtype][] = [
  ['Float32', float32Source, 'BFloat16'],
  ['Float32', float32Source, 'Float16'],
  ['BFloat16', bFloat16Source, 'Float32']
]

const header = ['kernel case'.padEnd(34), ...contenders.map((k) => `${k.name} MB/s`.padStart(13))].join('')
console.log(header)
for (const [label, args] of copyCases) {
  const boxBytes = args.extent.reduce((a, b) => a * b, 1) * args.elementBytes
  const figures = contenders.map((k) => megabytesPerSecond(boxBytes, () => k.copyBox(args)))
  console.log([`copyBox ${label}`.padEnd(34), ...figures.map((f) => f.toFixed(0).padStart(13))].join(''))
}
for (const [from, src, to] of castCases) {
  const dst = new Uint8Array(CAST_ELEMENTS * ELEMENT_BYTES[to])
  const figures = contenders.map((k) =>
    megabytesPerSecond(src.byteLength, () => k.castFloats(src, from, dst, to, CAST_ELEMENTS))
  )
  console.log(
    [`castFloats ${from}→${to}`.padEnd(34), ...figures.map((f) => f.toFixed(0).padStart(13))].join('')
  )
}
if ('error' in native) console.log(`(native column missing: ${native.error})`)

const FILE_COPY_BYTES = 256 * 1024 * 1024

/** 256 MiB from one file into another on the same file system, both in the page cache (warm). */
async function fileCopies(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-bench-copy-'))
  const source = { handle: await open(join(dir, 'source.bin'), 'w+'), name: 'source.bin' }
  const target = { handle: await open(join(dir, 'target.bin'), 'w+'), name: 'target.bin' }
  try {
    const block = new Uint8Array(16 * 1024 * 1024)
    for (let at = 0; at < FILE_COPY_BYTES; at += block.length) {
      await source.handle.write(randomFillSync(block), 0, block.length, at)
    }
    const ways: [string, RangeCopyOptions][] = [
      ['copy_file_range', {}],
      ['pread/pwrite, 4 MiB buffer', { forceFallback: true }],
      ['pread/pwrite, 1 MiB buffer', { forceFallback: true, bufferBytes: 1024 * 1024 }]
    ]
    console.log(
      `\n${`file copy, ${FILE_COPY_BYTES >> 20} MiB, warm cache (${tmpdir()})`.padEnd(50)}${'MB/s'.padStart(8)}${'CPU/GiB'.padStart(12)}`
    )
    // Rounds alternate the ways, so that a burst of load from elsewhere on the machine hits all of them alike.
    // CPU time (this process, user + system, kernel copies included) is steadier than wall time on a busy host.
    const best = ways.map(() => Infinity)
    const cpuSeconds = ways.map(() => 0)
    const methods = ways.map(() => '')
    const rounds = 8
    for (let round = 0; round < rounds; round++) {
      for (const [index, [, options]] of ways.entries()) {
        const cpu = process.cpuUsage()
        const started = process.hrtime.bigint()
        methods[index] = (await copyByteRange(source, 0, target, 0, FILE_COPY_BYTES, options)).method
        const seconds = Number(process.hrtime.bigint() - started) / 1e9
        const used = process.cpuUsage(cpu)
        // Round 0 is the warm-up: the target's pages exist and both files are cached afterwards.
        if (round === 0) continue
        best[index] = Math.min(best[index]!, seconds)
        cpuSeconds[index]! += (used.user + used.system) / 1e6
      }
    }
    for (const [index, [label]] of ways.entries()) {
      const figure = (FILE_COPY_BYTES / best[index]! / 1e6).toFixed(0).padStart(8)
      const cpuPerGiB = ((cpuSeconds[index]! / (rounds - 1)) * (2 ** 30 / FILE_COPY_BYTES)).toFixed(2)
      console.log(
        `${`${label} (took ${methods[index]})`.padEnd(50)}${figure}${`${cpuPerGiB} s`.padStart(12)}`
      )
    }
  } finally {
    await source.handle.close()
    await target.handle.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void fileCopies()
