import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { recordHeader } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { SafetensorsWriter } from '../../src-main/engine/formats/safetensors/safetensors-writer'
import { encodeStrategyProtobuf } from '../../src-main/engine/formats/strategy/strategy-protobuf'
import { MemorySink } from '../../src-main/engine/io/byte-sink'
import { oracle, RANK_TABLES, real } from './fixtures'
import { paramLayout, strategyOf } from './strategy-builders'

/**
 * Hostile inputs of every kind the Trust issue found, generated from a fixed seed: huge device matrices and stage
 * numbers, deep JSON, safetensors header lengths that look like other formats, repeated tags, names full of
 * terminal controls, and truncations and byte flips of real MindSpore files. Each case says what must happen:
 * `refused` (exit 2 naming the file), `ok` (exit 0) or `either` (a flipped byte may land in a payload).
 */
export interface HostileCase {
  id: number
  kind: string
  argv: string[]
  /** The path an error must name. */
  names: string
  expect: 'ok' | 'refused' | 'either'
}

const SEED = 20240807
const HUGE = [131073, 65536 * 65536, 4294967295, 2 ** 53, 1e300]
const SMALL = [1, 2, 4]

export async function buildHostileCorpus(dir: string): Promise<HostileCase[]> {
  const cases: HostileCase[] = []
  let n = 0
  const add = (kind: string, names: string, expect: HostileCase['expect'], ...argvs: string[][]) => {
    for (const argv of argvs) cases.push({ id: cases.length, kind, argv, names, expect })
  }
  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, `${n++}-${name}`)
    writeFileSync(path, bytes)
    return path
  }
  const strategyCommands = (path: string) => [
    ['inspect', path],
    ['ranks', '--src-strategy', path],
    ['ranks', '--dst-strategy', path, '--dst-rank', '3'],
    ['plan', '--src', oracle('dp8_to_mp4', 'src'), '--dst-strategy', path]
  ]
  const folderWith = (name: string, bytes: Uint8Array) => {
    const folder = join(dir, `${n++}-folder`)
    mkdirSync(join(folder, 'rank_0'), { recursive: true })
    writeFileSync(join(folder, 'rank_0', name), bytes)
    return folder
  }

  // Huge device matrices, stages and sizes, in JSON (any number) and protobuf (uint32).
  const hugeJson = fc.record({
    dev: fc.tuple(fc.constantFrom(...HUGE), fc.array(fc.constantFrom(...SMALL), { maxLength: 2 })),
    where: fc.constantFrom('dev_matrix', 'stage', 'tensor_shape', 'current_stage'),
    stage: fc.constantFrom(4096, 65535, 4294967295, 1e300)
  })
  for (const { dev, where, stage } of fc.sample(hugeJson, { seed: SEED, numRuns: 8 })) {
    const devMatrix = where === 'dev_matrix' ? [dev[0], ...dev[1]] : [2]
    const name = where === 'stage' ? `${stage}-w` : 'w'
    const item: Record<string, unknown> = { dev_matrix: devMatrix, tensor_map: [0] }
    // Sizes beyond 2^53 and current_stage below 0 are refused whichever huge value was drawn.
    if (where === 'tensor_shape') item['tensor_shape'] = [dev[0] * 2 ** 40]
    const root = {
      current_stage: where === 'current_stage' ? -stage : 1,
      parallel_layout_item: { [name]: item }
    }
    const path = file('huge.json', JSON.stringify(root))
    add('huge numbers (JSON)', path, 'refused', ...strategyCommands(path))
  }
  const hugeProto = fc.record({
    dev: fc.array(fc.constantFrom(65536, 4294967295, 131072, 2), { minLength: 1, maxLength: 3 }),
    stage: fc.constantFrom(0, 4294967295, 4095)
  })
  const proto = fc
    .sample(hugeProto, { seed: SEED, numRuns: 40 })
    .filter(({ dev, stage }) => stage === 4294967295 || dev.reduce((a, b) => a * b, 1) > 131072)
  for (const { dev, stage } of proto.slice(0, 4)) {
    const path = file(
      'huge_strategy.ckpt',
      encodeStrategyProtobuf(
        strategyOf(
          [
            paramLayout(
              dev,
              dev.map((_, i) => i),
              { stage }
            )
          ],
          { merged: stage !== 0 }
        )
      )
    )
    add('huge numbers (protobuf)', path, 'refused', ...strategyCommands(path))
  }

  // Millions of empty two-byte entries: tiny on disk, gigabytes once decoded.
  const entries = file(
    'many_strategy.ckpt',
    Buffer.concat([Uint8Array.of(8, 1), Buffer.alloc(2 ** 21 + 2, Uint8Array.of(0x1a, 0))])
  )
  add(
    'huge numbers (protobuf)',
    entries,
    'refused',
    ['inspect', entries],
    ['ranks', '--src-strategy', entries]
  )

  // JSON nested far too deep, in every JSON format we read.
  for (const depth of [65, 5000, 120_000]) {
    const deep = '['.repeat(depth) + ']'.repeat(depth)
    const strategy = file(
      'deep.json',
      `{"parallel_layout_item":{"w":{"dev_matrix":${deep},"tensor_map":[0]}}}`
    )
    add(
      'deep JSON (strategy)',
      strategy,
      'refused',
      ['inspect', strategy],
      ['ranks', '--src-strategy', strategy]
    )
    const table = file('deep_rank_table.json', `{"server_list":${deep}}`)
    add('deep JSON (rank table)', table, 'refused', ['inspect', table])
    const st = file('deep.safetensors', safetensorsBytes(`{"__metadata__":{"x":${deep}}}`))
    add('deep JSON (safetensors header)', st, 'refused', ['inspect', st])
  }

  // Valid safetensors whose header length starts with 0x08 (a strategy's first byte) and its neighbours.
  for (const length of [165, 173, 180, 181]) {
    const bytes = await safetensorsWith('w'.repeat(length))
    const path = file('model.safetensors', bytes)
    const folder = folderWith('net.safetensors', bytes)
    add('safetensors header length', path, 'ok', ['inspect', path], ['inspect', folder])
    add('safetensors header length', folder, 'ok', ['plan', '--src', folder])
  }

  // N tags, each repeated later in the file (indexing was quadratic).
  for (const tags of [2000, 20_000]) {
    const records: Uint8Array[] = []
    for (const copy of [1, 2])
      for (let i = 0; i < tags; i++) records.push(record(`t${i}`, [1], Uint8Array.of(copy, 0, 0, 0)))
    const bytes = Buffer.concat(records)
    const path = file('repeated.ckpt', bytes)
    add('repeated tags', path, 'ok', ['inspect', path])
    const folder = folderWith('checkpoint_0.ckpt', bytes)
    add('repeated tags', folder, 'ok', ['plan', '--src', folder])
  }

  // Names full of terminal controls, bidi overrides and line breaks: readable (escaped), or refused naming them.
  const hostileName = fc.string({
    unit: fc.constantFrom(
      'a',
      '.',
      '\u001b',
      '[',
      '2J',
      '\r',
      '\n',
      '\u0007',
      '\u009b',
      '\u202e',
      '\u2028',
      'é'
    ),
    minLength: 1,
    maxLength: 24
  })
  for (const name of fc.sample(hostileName, { seed: SEED, numRuns: 6 })) {
    const good = file('names.ckpt', record(name, [1], new Uint8Array(4)))
    add('hostile names', good, 'ok', ['inspect', good], ['inspect', good, '--json'])
    const bad = file('names_bad.ckpt', record(name, [3], new Uint8Array(4)))
    add('hostile names', bad, 'refused', ['inspect', bad])
  }

  // Truncations and byte flips of real MindSpore files.
  const originals = [
    real('mindformers__strategy_8_npus.ckpt'),
    real('golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt'),
    real('mindformers__golden_router.ckpt'),
    real('mindscience__example_net_10000.ckpt'),
    real('mindarmour__checkpoint_lenet-10_1875.ckpt'),
    oracle('optshard_to_noopt', 'src_strategy.ckpt'),
    join(RANK_TABLES, 'docs__rank_table_cross_cluster_16pcs.json')
  ]
  // Positions without fast-check's bias towards small values, which would cut or flip the first byte each time.
  const position = fc.noBias(fc.nat({ max: 2 ** 30 }))
  const mutation = fc.record({
    original: fc.integer({ min: 0, max: originals.length - 1 }),
    truncate: fc.boolean(),
    at: position,
    flips: fc.array(fc.tuple(position, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 })
  })
  for (const m of fc.sample(mutation, { seed: SEED, numRuns: 28 })) {
    const source = originals[m.original]!
    const bytes = new Uint8Array(readFileSync(source))
    let mutated: Uint8Array
    if (m.truncate) mutated = bytes.subarray(0, 1 + (m.at % (bytes.length - 1)))
    else {
      mutated = bytes
      for (const [where, xor] of m.flips) mutated[where % bytes.length]! ^= xor
    }
    const isJson = source.endsWith('.json')
    const isStrategy = /strategy/.test(source)
    const path = file(
      isJson ? 'mutated.json' : isStrategy ? 'mutated_strategy.ckpt' : 'mutated.ckpt',
      mutated
    )
    add('truncated or flipped fixture', path, 'either', ['inspect', path])
    if (isStrategy) add('truncated or flipped fixture', path, 'either', ['ranks', '--src-strategy', path])
    else if (!isJson) {
      const folder = folderWith('checkpoint_0.ckpt', mutated)
      add('truncated or flipped fixture', folder, 'either', ['plan', '--src', folder])
    }
  }
  return cases
}

function record(name: string, dims: number[], payload: Uint8Array): Uint8Array {
  return Buffer.concat([recordHeader(name, 'Float32', dims, payload.length), payload])
}

/** A safetensors file of just a length prefix and `header`, as a hand-made hostile header needs. */
export function safetensorsBytes(header: string): Uint8Array {
  const json = new TextEncoder().encode(header)
  const out = new Uint8Array(8 + json.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(json, 8)
  return out
}

async function safetensorsWith(name: string): Promise<Uint8Array> {
  const sink = new MemorySink('model.safetensors')
  const writer = await SafetensorsWriter.create(sink, [{ name, dtype: 'Float32', shape: [1], byteLength: 4 }])
  await writer.writeTensor(name, new Uint8Array(4))
  await writer.finish()
  return sink.bytes()
}
