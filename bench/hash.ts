// bench/hash: integrity-hash throughput on one core, 32 MiB buffers fed in 1 MiB updates as the executor would:
// the fast hash (XXH3-128, src-main/engine/io/fast-hash.ts) against SHA-256 (node:crypto). Alternatives that are
// not dependencies are measured when installed, to show why the fast hash is what it is. Best of several
// repetitions, with the machine's load. Asserts nothing.
//
//   node --import tsx bench/hash.ts
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { createFastHasher, fastHashUnavailable } from '../src-main/engine/io/fast-hash'
import { describeLoad, measuringLoad } from './machine'

const BUFFER_BYTES = 32 << 20
const UPDATE_BYTES = 1 << 20
const MIN_SECONDS = 1.5

const data = new Uint8Array(BUFFER_BYTES)
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24

interface Contender {
  label: string
  /** Hashes `data` start to end; returns the digest so nothing is optimised away. */
  hash?: () => unknown
  missing?: string
}

function incremental(update: (chunk: Uint8Array) => void): void {
  for (let at = 0; at < data.length; at += UPDATE_BYTES) update(data.subarray(at, at + UPDATE_BYTES))
}

function optional(name: string): Record<string, unknown> | undefined {
  try {
    return createRequire(__filename)(name) as Record<string, unknown>
  } catch {
    return undefined
  }
}

async function contenders(): Promise<Contender[]> {
  const list: Contender[] = [
    {
      label: 'SHA-256 (node:crypto, OpenSSL)',
      hash: () => {
        const h = createHash('sha256')
        incremental((c) => h.update(c))
        return h.digest()
      }
    }
  ]
  const unavailable = fastHashUnavailable()
  list.push({
    label: 'XXH3-128 incremental (fast-hash.ts, xxhash-addon)',
    ...(unavailable
      ? { missing: unavailable }
      : {
          hash: () => {
            const h = createFastHasher()
            incremental((c) => h.update(c))
            return h.digestHex()
          }
        })
  })
  type NodeRsXxh3 = {
    xxh128(input: Uint8Array): bigint
    Xxh3: { withSeed(): { update(b: Uint8Array): unknown; digest(): bigint } }
  }
  const nodeRs = optional('@node-rs/xxhash')?.xxh3 as NodeRsXxh3 | undefined
  list.push(
    nodeRs
      ? { label: 'XXH3-128 one-shot (@node-rs/xxhash)', hash: () => nodeRs.xxh128(data) }
      : { label: 'XXH3-128 one-shot (@node-rs/xxhash)', missing: 'not installed' },
    nodeRs
      ? {
          label: 'XXH3-64 incremental (@node-rs/xxhash; no 128)',
          hash: () => {
            const h = nodeRs.Xxh3.withSeed()
            incremental((c) => h.update(c))
            return h.digest()
          }
        }
      : { label: 'XXH3-64 incremental (@node-rs/xxhash; no 128)', missing: 'not installed' }
  )
  type WasmHasher = { init(): unknown; update(b: Uint8Array): unknown; digest(f: 'binary'): Uint8Array }
  const wasm = optional('hash-wasm') as { createXXHash128?: () => Promise<WasmHasher> } | undefined
  if (wasm?.createXXHash128) {
    const h = await wasm.createXXHash128()
    list.push({
      label: 'XXH3-128 incremental (hash-wasm)',
      hash: () => {
        h.init()
        incremental((c) => h.update(c))
        return h.digest('binary')
      }
    })
  } else list.push({ label: 'XXH3-128 incremental (hash-wasm)', missing: 'not installed' })
  return list
}

function gigabytesPerSecond(hash: () => unknown): number {
  hash() // warm-up: JIT tiers and first-touch page faults stay out of the figure
  let best = Infinity
  let spent = 0
  while (spent < MIN_SECONDS) {
    const started = process.hrtime.bigint()
    hash()
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    best = Math.min(best, seconds)
    spent += seconds
  }
  return BUFFER_BYTES / best / 1e9
}

async function main() {
  console.log(
    `bench/hash: one core, ${BUFFER_BYTES >> 20} MiB buffers in ${UPDATE_BYTES >> 20} MiB updates, best of ${MIN_SECONDS} s`
  )
  for (const c of await contenders()) {
    if (!c.hash) {
      console.log(`${c.label.padEnd(52)} ${'-'.padStart(7)}  (${c.missing})`)
      continue
    }
    const { result, load } = await measuringLoad(async () => gigabytesPerSecond(c.hash!))
    console.log(`${c.label.padEnd(52)} ${result.toFixed(2).padStart(7)} GB/s  (${describeLoad(load)})`)
  }
}

void main()
