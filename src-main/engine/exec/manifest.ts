import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { requireBoundedJson } from '../formats/json-text'
import { AtomicFileSink } from '../io/byte-sink'
import type { FileIdentity } from '../io/file-identity'
import {
  computableHashes,
  DIGEST_HEX_LENGTH,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  type OutputHashes
} from '../io/output-hashes'
import type { ConversionIdentity } from '../plan/plan-types'
import type { ManifestShare } from './destination-scope'

export type { OutputHashes } from '../io/output-hashes'

export const MANIFEST_NAME = 'shardscope-manifest.json'

/**
 * The hash algorithms `verify` can recompute: XXH3-128 (what every conversion records) and SHA-256 (recorded by
 * `--sha256`, by a push, and by versions before the fast hash).
 */
export const VERIFIABLE_HASHES = HASH_ALGORITHMS

/**
 * The hashes of an entry that can be recomputed here. All of them are compared, since each protects against
 * something else (see OutputHashes); none means the entry cannot be checked by this version.
 */
export function recordedComputable(recorded: OutputHashes): HashAlgorithm[] {
  return computableHashes().filter((algorithm) => recorded[algorithm] !== undefined)
}

/**
 * Far above any real manifest (about 1 KiB per output plus 0.3 KiB per source it read), and below the longest
 * string V8 makes: a larger file is refused in words before it is read.
 */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024

/**
 * A source file an output was made from, as it was when read. Version-1 manifests recorded path, size and
 * modification time only.
 */
export interface SourceRecord extends Partial<FileIdentity> {
  rank?: number
  path: string
  realPath?: string
  size: number
  mtimeMs: number
  /** The file's CRC-32 was checked while this output was made. */
  crcVerified?: boolean
}

export interface ManifestOutput {
  rank: number
  size: number
  hashes: OutputHashes
  /** Hash of the rank's plan and its inputs' identities: equal hashes mean "made from the same things". */
  planHash: string
  sources: SourceRecord[]
  completedAt: string
}

/** The run that last wrote the manifest, and how it ended. */
export interface ManifestRun {
  id: string
  state: 'running' | 'complete' | 'cancelled' | 'failed'
  startedAt: string
  host: string
  pid: number
  /** The outputs that run was asked to write. */
  requested: string[]
}

/**
 * `shardscope-manifest.json` in the destination: what conversion the folder holds, each finished output's size
 * and hashes and what it was made from, and the state of the last run. It is written before the first output
 * exists and rewritten atomically after every finished rank, so every output lives under a manifest and a
 * killed run resumes where it stopped.
 */
export interface Manifest {
  format: 'shardscope-manifest'
  version: 2
  /** Absent in manifests upgraded from version 1, which did not record it. */
  conversion?: ConversionIdentity
  sourceFolder: string
  /** Destination ranks of the conversion (all of them, not only those written so far). */
  destinationRanks?: number
  strategies: { source?: StrategyIdentity; destination?: StrategyIdentity }
  options: Record<string, unknown>
  outputs: Record<string, ManifestOutput>
  run?: ManifestRun
  /** A worker's manifest: which share of a distributed conversion it holds (its file is named after it). */
  share?: ManifestShare
  /** Set when the file on disk was a version-1 manifest. */
  upgradedFrom?: 1
  updatedAt: string
}

/** The strategy files an output was planned from, and a hash of their parsed content. */
export interface StrategyIdentity {
  paths: string[]
  sha256: string
}

interface ManifestV1 {
  format: 'shardscope-manifest'
  version: 1
  sourceFolder: string
  strategies: Manifest['strategies']
  options: Record<string, unknown>
  outputs: Record<string, Omit<ManifestOutput, 'hashes'> & { sha256: string }>
  updatedAt: string
}

/** A destination's manifest, upgraded to version 2 if it is older; undefined if there is none. */
export async function readManifest(folder: string, name = MANIFEST_NAME): Promise<Manifest | undefined> {
  const path = join(folder, name)
  const text = await readBoundedText(path)
  if (text === undefined) return undefined
  // The manifest lies in the destination folder, which anyone who can write there can replace.
  requireBoundedJson(text, { file: path, what: 'a Shardscope manifest' })
  try {
    return upgrade(JSON.parse(text) as Manifest | ManifestV1)
  } catch (err) {
    throw new ShardscopeError(
      'CORRUPT',
      `${path} is damaged (${(err as Error).message}); delete it to start the conversion afresh.`,
      { file: path }
    )
  }
}

/** The file's text, or undefined when there is none; a file over MAX_MANIFEST_BYTES is refused unread. */
async function readBoundedText(path: string): Promise<string | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ShardscopeError('IO_ERROR', `Cannot read ${path}: ${(err as Error).message}.`, { file: path })
  }
  try {
    const { size } = await handle.stat()
    if (size > MAX_MANIFEST_BYTES)
      throw new ShardscopeError(
        'CORRUPT',
        `${path} is ${size} bytes long, more than any Shardscope manifest (at most ${MAX_MANIFEST_BYTES}), so Shardscope does not read it; delete it to start the conversion afresh.`,
        { file: path }
      )
    // Read at most one byte past the bound: a file growing meanwhile cannot make this allocate more.
    const buffer = Buffer.alloc(Math.min(size, MAX_MANIFEST_BYTES) + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0 || (length += bytesRead) === buffer.length) break
    }
    if (length > MAX_MANIFEST_BYTES)
      throw new ShardscopeError(
        'CORRUPT',
        `${path} grew past ${MAX_MANIFEST_BYTES} bytes while it was read.`,
        {
          file: path
        }
      )
    return buffer.toString('utf8', 0, length)
  } catch (err) {
    if (err instanceof ShardscopeError) throw err
    throw new ShardscopeError('IO_ERROR', `Cannot read ${path}: ${(err as Error).message}.`, { file: path })
  } finally {
    await handle.close()
  }
}

function upgrade(manifest: Manifest | ManifestV1): Manifest {
  if (manifest?.format !== 'shardscope-manifest' || typeof manifest.outputs !== 'object')
    throw new Error('not a Shardscope manifest')
  if (manifest.version === 2) {
    for (const [name, output] of Object.entries(manifest.outputs)) checkOutput(name, output)
    return manifest
  }
  if (manifest.version !== 1)
    throw new Error(`unknown manifest version ${String((manifest as { version?: unknown }).version)}`)
  const outputs: Record<string, ManifestOutput> = {}
  for (const [name, { sha256, ...rest }] of Object.entries(manifest.outputs)) {
    outputs[name] = { ...rest, hashes: { sha256 } }
    checkOutput(name, outputs[name])
  }
  return { ...manifest, version: 2, outputs, upgradedFrom: 1 }
}

function checkOutput(name: string, output: ManifestOutput): void {
  const hashes = Object.entries(output?.hashes ?? {})
  if (
    !Number.isSafeInteger(output?.rank) ||
    !Number.isSafeInteger(output.size) ||
    hashes.length === 0 ||
    hashes.some(([, digest]) => typeof digest !== 'string' || !/^[0-9a-f]+$/.test(digest))
  )
    throw new Error(`its entry for ${name} lacks a rank, a size or a lower-case hex hash`)
  // Algorithms a later version may add are kept as they are; the known ones must have their digest's length.
  for (const [algorithm, digest] of hashes) {
    const length = DIGEST_HEX_LENGTH[algorithm as keyof OutputHashes]
    if (Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) && (digest as string).length !== length)
      throw new Error(`its ${algorithm} for ${name} is not ${length} hex digits`)
  }
}

export async function writeManifest(
  folder: string,
  manifest: Manifest,
  tag?: string,
  name = MANIFEST_NAME
): Promise<void> {
  const sink = await AtomicFileSink.create(join(folder, name), tag ? { tag } : {})
  try {
    await sink.write(
      new TextEncoder().encode(
        JSON.stringify({ ...manifest, updatedAt: new Date().toISOString() }, null, 2) + '\n'
      )
    )
    await sink.commit()
  } catch (err) {
    await sink.abort()
    throw err
  }
}

/** The finished outputs a manifest vouches for, by rank: what `verify`, pushes and the app list. */
export function manifestOutputs(
  manifest: Manifest
): { output: string; rank: number; size: number; hashes: OutputHashes }[] {
  return Object.entries(manifest.outputs)
    .map(([output, o]) => ({ output, rank: o.rank, size: o.size, hashes: { ...o.hashes } }))
    .sort((a, b) => a.rank - b.rank || (a.output < b.output ? -1 : 1))
}

/** How far the conversion is: outputs done, and of how many destination ranks (when the manifest knows). */
export function manifestProgress(manifest: Manifest): {
  done: number
  destinationRanks?: number
  lastRun?: ManifestRun['state']
  requestedMissing: string[]
} {
  const missing = (manifest.run?.requested ?? []).filter((o) => !(o in manifest.outputs))
  return {
    done: Object.keys(manifest.outputs).length,
    ...(manifest.destinationRanks !== undefined ? { destinationRanks: manifest.destinationRanks } : {}),
    ...(manifest.run ? { lastRun: manifest.run.state } : {}),
    requestedMissing: missing
  }
}
