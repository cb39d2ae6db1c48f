import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

interface BundleRecord {
  inputs: Record<string, string>
}

/**
 * Running from TypeScript sources (the CLI, tests), every worker thread would compile the engine through tsx,
 * about 0.4 s each. Instead the worker is bundled once with esbuild (tsx's own compiler) into a cached CommonJS
 * file that is rebuilt only when one of its sources changes. Undefined when bundling is impossible; callers
 * then fall back to tsx.
 */
export function bundledWorker(entry: string): string | undefined {
  try {
    const cacheDir = join(tmpdir(), 'shardscope-worker-cache')
    const key = createHash('sha256').update(resolve(entry)).digest('hex').slice(0, 16)
    const outfile = join(cacheDir, `transform-worker-${key}.cjs`)
    const recordFile = `${outfile}.inputs.json`
    if (
      existsSync(outfile) &&
      existsSync(recordFile) &&
      upToDate(JSON.parse(readFileSync(recordFile, 'utf8')) as BundleRecord)
    ) {
      return outfile
    }
    mkdirSync(cacheDir, { recursive: true })
    const esbuild = createRequire(__filename)('esbuild') as typeof import('esbuild')
    const result = esbuild.buildSync({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      // Keeps __dirname meaning "the source folder" inside the bundle, for the addon and other file lookups.
      define: { __dirname: JSON.stringify(resolve(entry, '..')) }
    })
    const inputs: Record<string, string> = {}
    for (const input of Object.keys(result.metafile.inputs))
      inputs[resolve(input)] = fingerprint(resolve(input))
    writeFileSync(recordFile, JSON.stringify({ inputs } satisfies BundleRecord))
    return outfile
  } catch {
    return undefined
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
