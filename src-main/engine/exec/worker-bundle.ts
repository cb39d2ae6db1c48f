import { createHash, randomBytes } from 'node:crypto'
import { existsSync, lstatSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { userCacheDirectory } from '../io/user-cache-dir'

interface BundleRecord {
  inputs: Record<string, string>
}

/**
 * Packages that load compiled .node files of their own: esbuild cannot carry a native binary into a bundle, so
 * they stay in node_modules, found from the source folder (see `define` below). scripts/cli-bundle.cjs keeps the
 * same list for the CLI's bundle.
 */
export const NATIVE_PACKAGES = ['ssh2', 'cpu-features', 'xxhash-addon']

/**
 * Running from TypeScript sources (the CLI, tests), every worker thread would compile the engine through tsx,
 * about 0.4 s each. Instead the worker is bundled once with esbuild (tsx's own compiler) into a cached CommonJS
 * file that is rebuilt only when one of its sources changes. The cache is this user's own (userCacheDirectory),
 * since the file is run as code. Undefined when bundling is impossible; callers then fall back to tsx.
 * `as.folder` is what __dirname means throughout the bundle (the entry's folder by default): the engine host,
 * bundled from services/, gives this folder, so the transform workers it starts are found here as unbundled.
 */
export function bundledWorker(
  entry: string,
  as: { name?: string; folder?: string } = {}
): string | undefined {
  const folder = resolve(as.folder ?? resolve(entry, '..'))
  try {
    const cache = userCacheDirectory('worker')
    if ('refused' in cache) return undefined
    const key = createHash('sha256')
      .update(as.folder ? `${resolve(entry)}\0${folder}` : resolve(entry))
      .digest('hex')
      .slice(0, 16)
    const outfile = join(cache.path, `${as.name ?? 'transform-worker'}-${key}.cjs`)
    const recordFile = `${outfile}.inputs.json`
    if (
      ownFile(outfile) &&
      ownFile(recordFile) &&
      upToDate(JSON.parse(readFileSync(recordFile, 'utf8')) as BundleRecord)
    ) {
      return outfile
    }
    const esbuild = createRequire(__filename)('esbuild') as typeof import('esbuild')
    const result = esbuild.buildSync({
      entryPoints: [entry],
      outfile,
      write: false,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      external: NATIVE_PACKAGES,
      // Keeps __dirname and __filename meaning "the source folder" and a file in it: the addon lookup and the
      // native packages' requires (createRequire(__filename)) resolve from there, not from the cache.
      define: {
        __dirname: JSON.stringify(folder),
        __filename: JSON.stringify(as.folder ? join(folder, 'bundled-entry.ts') : resolve(entry))
      }
    })
    const inputs: Record<string, string> = {}
    for (const input of Object.keys(result.metafile.inputs))
      inputs[resolve(input)] = fingerprint(resolve(input))
    // Written beside and renamed into place: a process starting a worker meanwhile never runs half a file.
    writeAtomically(outfile, result.outputFiles[0]!.contents)
    writeAtomically(recordFile, JSON.stringify({ inputs } satisfies BundleRecord))
    return outfile
  } catch {
    return undefined
  }
}

/** A regular file of this user that only this user may write (the folder's checks cover the rest). */
function ownFile(path: string): boolean {
  const info = lstatSync(path, { throwIfNoEntry: false })
  if (!info?.isFile()) return false
  const uid = process.getuid?.()
  return uid === undefined || (info.uid === uid && (info.mode & 0o022) === 0)
}

function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  try {
    writeFileSync(temp, contents, { mode: 0o600, flag: 'wx' })
    renameSync(temp, path)
  } finally {
    rmSync(temp, { force: true })
  }
}

function upToDate(record: BundleRecord): boolean {
  return Object.entries(record.inputs).every(
    ([path, print]) => existsSync(path) && fingerprint(path) === print
  )
}

function fingerprint(path: string): string {
  const info = statSync(path)
  return `${info.size}:${info.mtimeMs}`
}
