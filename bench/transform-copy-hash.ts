// bench/transform-copy-hash: would copy_file_range win for the tensors a conversion copies unchanged, given that
// the executor must still hash (XXH3-128) and, for .ckpt, CRC every output byte? Copies one warm file to a new
// one in three ways, in alternating rounds after a warm-up, and prints wall and CPU seconds per GiB:
//   buffered   pread 4 MiB, hash (and CRC), write — the executor's path today;
//   kernel+src copy_file_range, then read the source range back to hash it;
//   kernel+dst copy_file_range, then read the new output back to hash it.
// Asserts nothing.
//
//   node --import tsx bench/transform-copy-hash.ts [--size 1GiB] [--rounds 3] [--crc] [--dir <tmp>]
import { mkdtempSync, rmSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { crc32Update } from '../src-main/engine/io/crc32'
import { createFastHasher } from '../src-main/engine/io/fast-hash'
import { copyByteRange } from '../src-main/engine/io/kernel-copy'
import { describeLoad, measuringLoad, median } from './machine'

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    rounds: { type: 'string' },
    crc: { type: 'boolean' },
    dir: { type: 'string' }
  }
})
const GIB = 1024 ** 3
const size = Math.round(Number(/^([\d.]+)GiB$/i.exec(values.size ?? '1GiB')?.[1] ?? 1) * GIB)
const rounds = Number(values.rounds ?? 3)
const CHUNK = 4 << 20
const buffer = new Uint8Array(CHUNK)

async function readAll(
  handle: FileHandle,
  length: number,
  each: (bytes: Uint8Array) => Promise<void> | void
) {
  for (let at = 0; at < length; at += CHUNK) {
    const want = Math.min(CHUNK, length - at)
    let filled = 0
    while (filled < want) {
      const { bytesRead } = await handle.read(buffer, filled, want - filled, at + filled)
      if (bytesRead === 0) throw new Error('short file')
      filled += bytesRead
    }
    await each(buffer.subarray(0, want))
  }
}

function integrity() {
  const hasher = createFastHasher()
  let crc = 0
  return {
    update(bytes: Uint8Array) {
      hasher.update(bytes)
      if (values.crc) crc = crc32Update(bytes, crc)
    },
    digest: () => `${hasher.digestHex()}:${crc}`
  }
}

type Way = (source: FileHandle, target: FileHandle, targetPath: string) => Promise<string>

const ways: Record<string, Way> = {
  buffered: async (source, target) => {
    const sum = integrity()
    let written = 0
    await readAll(source, size, async (bytes) => {
      sum.update(bytes)
      let done = 0
      while (done < bytes.length)
        done += (await target.write(bytes, done, bytes.length - done, written + done)).bytesWritten
      written += bytes.length
    })
    return sum.digest()
  },
  'kernel+src': (source, target, targetPath) => kernelThenHash(source, target, targetPath, source),
  'kernel+dst': (source, target, targetPath) => kernelThenHash(source, target, targetPath, target)
}

/** copy_file_range, then one read of `readBack` (the source or the new file) for the digests. */
async function kernelThenHash(
  source: FileHandle,
  target: FileHandle,
  targetPath: string,
  readBack: FileHandle
) {
  const result = await copyByteRange(
    { handle: source, name: 'source' },
    0,
    { handle: target, name: targetPath },
    0,
    size
  )
  if (result.method !== 'copy_file_range') throw new Error(`fell back: ${result.fallbackReason}`)
  const sum = integrity()
  await readAll(readBack, size, (bytes) => sum.update(bytes))
  return sum.digest()
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'shardscope-copy-hash-'))
  try {
    const sourcePath = join(dir, 'source.bin')
    const source = await open(sourcePath, 'w+')
    for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 2654435761) >>> 24
    for (let at = 0; at < size; at += CHUNK) await source.write(buffer, 0, Math.min(CHUNK, size - at), at)
    const times: Record<string, { wall: number[]; cpu: number[] }> = {}
    const digests = new Set<string>()
    const names = Object.keys(ways)
    const { load } = await measuringLoad(async () => {
      for (let round = -1; round < rounds; round++) {
        const order = round % 2 === 0 ? names : [...names].reverse()
        for (const name of order) {
          const targetPath = join(dir, `out-${name}.bin`)
          rmSync(targetPath, { force: true })
          const target = await open(targetPath, 'wx+')
          const cpu0 = process.cpuUsage()
          const t0 = process.hrtime.bigint()
          digests.add(await ways[name]!(source, target, targetPath))
          const wall = Number(process.hrtime.bigint() - t0) / 1e9
          const cpu = process.cpuUsage(cpu0)
          await target.close()
          rmSync(targetPath, { force: true })
          if (round < 0) continue // warm-up
          const entry = (times[name] ??= { wall: [], cpu: [] })
          entry.wall.push(wall / (size / GIB))
          entry.cpu.push((cpu.user + cpu.system) / 1e6 / (size / GIB))
        }
      }
    })
    await source.close()
    if (digests.size !== 1) throw new Error(`the ways disagree on the bytes: ${[...digests].join(', ')}`)
    console.log(
      `bench/transform-copy-hash: ${size / GIB} GiB warm, ${rounds} rounds, XXH3-128${values.crc ? ' + CRC-32' : ''}; ${describeLoad(load)}`
    )
    for (const name of names) {
      const t = times[name]!
      console.log(
        `  ${name.padEnd(11)} wall ${median(t.wall).toFixed(2)} s/GiB (${t.wall.map((s) => s.toFixed(2)).join(' ')})  cpu ${median(t.cpu).toFixed(2)} s/GiB`
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

void main()
