import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { AtomicFileSink } from '../io/byte-sink'

export const MANIFEST_NAME = 'shardscope-manifest.json'

/** What a source file was when an output was made from it; a change means the output is stale. */
export interface InputIdentity {
  path: string
  size: number
  mtimeMs: number
}

export interface ManifestOutput {
  rank: number
  size: number
  sha256: string
  /** Hash of the rank's plan and its inputs' identities: equal hashes mean "made from the same things". */
  planHash: string
  sources: InputIdentity[]
  completedAt: string
}

/**
 * `shardscope-manifest.json` in the destination: each finished output's size and SHA-256 and what it was made
 * from. It is rewritten atomically after every finished rank, so a killed run resumes where it stopped.
 */
export interface Manifest {
  format: 'shardscope-manifest'
  version: 1
  sourceFolder: string
  strategies: { source?: StrategyIdentity; destination?: StrategyIdentity }
  options: Record<string, unknown>
  outputs: Record<string, ManifestOutput>
  updatedAt: string
}

/** The strategy files an output was planned from, and a hash of their parsed content. */
export interface StrategyIdentity {
  paths: string[]
  sha256: string
}

export async function readManifest(folder: string): Promise<Manifest | undefined> {
  const path = join(folder, MANIFEST_NAME)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    const manifest = JSON.parse(text) as Manifest
    if (
      manifest.format !== 'shardscope-manifest' ||
      manifest.version !== 1 ||
      typeof manifest.outputs !== 'object'
    ) {
      throw new Error('not a Shardscope manifest')
    }
    return manifest
  } catch (err) {
    throw new ShardscopeError(
      'CORRUPT',
      `${path} is damaged (${(err as Error).message}); delete it to start the conversion afresh.`,
      {
        file: path
      }
    )
  }
}

export async function writeManifest(folder: string, manifest: Manifest): Promise<void> {
  const sink = await AtomicFileSink.create(join(folder, MANIFEST_NAME))
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
