import { readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { MANIFEST_NAME } from '../../engine/exec/manifest'
import { ShardscopeError } from '../../engine/errors'
import { AtomicFileSink } from '../../engine/io/byte-sink'
import type { OutputFile, SharedFile } from '../../engine/cluster/server-files'

/**
 * The one place that reads and writes output hashes of shardscope-manifest.json, so the move from version 1
 * (`sha256` per output) to version 2 (`hashes: { sha256?, xxh3_128? }`) touches nothing else.
 */
export interface ConvertedFolder {
  folder: string
  outputs: OutputFile[]
  /** The destination strategy files the manifest names, when they still exist. */
  strategyFiles: SharedFile[]
}

type RawOutput = { rank?: unknown; size?: unknown; sha256?: unknown; hashes?: Record<string, unknown> }
type RawManifest = {
  format?: unknown
  version?: unknown
  outputs?: Record<string, RawOutput>
  strategies?: { destination?: { paths?: unknown } }
}

async function readRaw(folder: string): Promise<RawManifest> {
  const path = join(folder, MANIFEST_NAME)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new ShardscopeError(
      'BAD_INPUT',
      `${folder} has no ${MANIFEST_NAME}; only a folder written by "shardscope transform" can be pushed, because every file is checked against it.`,
      { file: folder }
    )
  }
  let raw: RawManifest
  try {
    raw = JSON.parse(text) as RawManifest
  } catch (err) {
    throw new ShardscopeError('CORRUPT', `${path} is damaged (${(err as Error).message}).`, { file: path })
  }
  if (
    raw.format !== 'shardscope-manifest' ||
    (raw.version !== 1 && raw.version !== 2) ||
    typeof raw.outputs !== 'object' ||
    raw.outputs === null
  )
    throw new ShardscopeError('CORRUPT', `${path} is not a Shardscope manifest of version 1 or 2.`, {
      file: path
    })
  return raw
}

function hashesOf(entry: RawOutput): Record<string, string> {
  const hashes: Record<string, string> = {}
  if (typeof entry.sha256 === 'string') hashes.sha256 = entry.sha256
  for (const [alg, value] of Object.entries(entry.hashes ?? {}))
    if (typeof value === 'string') hashes[alg] = value
  return hashes
}

export async function readConvertedFolder(folder: string): Promise<ConvertedFolder> {
  const raw = await readRaw(folder)
  const outputs: OutputFile[] = Object.entries(raw.outputs!).flatMap(([relativePath, entry]) =>
    typeof entry.rank === 'number' && typeof entry.size === 'number'
      ? [{ rank: entry.rank, relativePath, size: entry.size, hashes: hashesOf(entry) }]
      : []
  )
  outputs.sort((a, b) => a.rank - b.rank)
  const paths = raw.strategies?.destination?.paths
  const strategyFiles: SharedFile[] = []
  for (const path of Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : []) {
    const info = await stat(path).catch(() => undefined)
    if (info?.isFile())
      strategyFiles.push({ localPath: path, relativePath: `strategy/${basename(path)}`, size: info.size })
  }
  return { folder, outputs, strategyFiles }
}

/**
 * Adds SHA-256 digests computed during a push to the manifest entries that lack them, atomically (temp file and
 * rename), keeping every other field as it was.
 */
export async function recordSha256(folder: string, digests: Map<string, string>): Promise<number> {
  const raw = await readRaw(folder)
  let added = 0
  for (const [relativePath, sha256] of digests) {
    const entry = raw.outputs![relativePath]
    if (!entry || hashesOf(entry).sha256 !== undefined) continue
    if (raw.version === 1) entry.sha256 = sha256
    else entry.hashes = { ...(entry.hashes ?? {}), sha256 }
    added++
  }
  if (added === 0) return 0
  const sink = await AtomicFileSink.create(join(folder, MANIFEST_NAME))
  try {
    await sink.write(new TextEncoder().encode(JSON.stringify(raw, null, 2) + '\n'))
    await sink.commit()
  } catch (err) {
    await sink.abort()
    throw err
  }
  return added
}
