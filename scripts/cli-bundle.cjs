// The CLI runs from an esbuild bundle with plain `node`: loading the TypeScript sources through tsx costs about
// a second per command, the bundle a few milliseconds. The bundle is rebuilt whenever one of its inputs changes,
// so a checkout never runs stale code and there is no build step to forget.
//
// Layout, like electron-vite's out/main: out/cli-<hash>/shardscope.cjs beside its transform-worker.js (which
// worker-pool.ts looks for next to the main file) and two folders below the project root (where the native
// addon lookup goes). Each build is its own folder named by its content, and out/cli.json says which one is
// current and which input files (size and mtime) it was made from. A running command keeps its own folder, so
// a rebuild by another command (or by mpirun starting many at once) never swaps its worker underneath it.
//
//   node scripts/cli-bundle.cjs     build now unless up to date (postinstall)
'use strict'
const fs = require('node:fs')
const { join, relative, resolve } = require('node:path')

const ROOT = resolve(__dirname, '..')
const ENTRIES = {
  shardscope: 'src-main/cli/main.ts',
  'transform-worker': 'src-main/engine/exec/transform-worker.ts'
}
// Older builds are kept this long: a conversion started from one may still spawn a worker from it.
const KEEP_OLD_BUILDS_MS = 24 * 3600 * 1000

/**
 * The path of an up-to-date CLI bundle, building it first if needed; undefined when it cannot be built here
 * (no esbuild, a read-only install without a prebuilt bundle), and the caller falls back to tsx.
 */
function ensureCliBundle(options = {}) {
  const outDir = options.outDir ?? join(ROOT, 'out')
  const current = currentBundle(outDir)
  if (current) return current
  try {
    return build(outDir)
  } catch (err) {
    if (options.onError) options.onError(err)
    return undefined
  }
}

/** The recorded bundle if it exists and every input still has the size and mtime it was built from. */
function currentBundle(outDir) {
  try {
    const record = JSON.parse(fs.readFileSync(join(outDir, 'cli.json'), 'utf8'))
    const bundle = join(outDir, record.folder, 'shardscope.cjs')
    if (!fs.existsSync(bundle) || !fs.existsSync(join(outDir, record.folder, 'transform-worker.js'))) return
    for (const [path, print] of Object.entries(record.inputs)) {
      if (fingerprint(join(ROOT, path)) !== print) return
    }
    return bundle
  } catch {
    return undefined
  }
}

function build(outDir) {
  // Required here, not at the top: the up-to-date path must stay a few milliseconds.
  const { createHash, randomBytes } = require('node:crypto')
  const esbuild = require('esbuild')
  fs.mkdirSync(outDir, { recursive: true })
  const staging = join(outDir, `.cli-build-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    const result = esbuild.buildSync({
      absWorkingDir: ROOT,
      entryPoints: ENTRIES,
      outdir: staging,
      outExtension: { '.js': '.js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      // Packages that load compiled .node files of their own stay where npm put them (found from out/ by the
      // usual node_modules lookup); esbuild cannot carry a native binary into a bundle.
      external: ['ssh2', 'cpu-features', 'xxhash-addon'],
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      // Less to parse at every start (whitespace and syntax only, names kept); SHARDSCOPE_DEBUG=1 maps stack
      // traces back to the sources.
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: 'linked',
      sourcesContent: false
    })
    // The main file gets .cjs so it stays CommonJS wherever it is required from (its source map keeps its
    // name); the worker keeps the name worker-pool.ts looks for, and this folder's package.json keeps it
    // CommonJS too.
    fs.renameSync(join(staging, 'shardscope.js'), join(staging, 'shardscope.cjs'))
    fs.writeFileSync(join(staging, 'package.json'), '{ "type": "commonjs" }\n')
    const hash = createHash('sha256')
    for (const name of ['shardscope.cjs', 'transform-worker.js'])
      hash.update(fs.readFileSync(join(staging, name)))
    const folder = `cli-${hash.digest('hex').slice(0, 16)}`
    try {
      fs.renameSync(staging, join(outDir, folder))
    } catch (err) {
      // Someone built the same content first: theirs is identical, keep it.
      if (!['EEXIST', 'ENOTEMPTY'].includes(err.code)) throw err
      fs.rmSync(staging, { recursive: true, force: true })
    }
    const inputs = {}
    // The bundler's own settings live here: a change to this file is a change to every bundle.
    for (const input of [...Object.keys(result.metafile.inputs), relative(ROOT, __filename)])
      inputs[input] = fingerprint(join(ROOT, input))
    const record = join(outDir, `cli.json.${process.pid}.tmp`)
    fs.writeFileSync(record, JSON.stringify({ folder, esbuild: esbuild.version, inputs }, null, 1) + '\n')
    fs.renameSync(record, join(outDir, 'cli.json'))
    removeOldBuilds(outDir, folder)
    return join(outDir, folder, 'shardscope.cjs')
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

function removeOldBuilds(outDir, keep) {
  const now = Date.now()
  for (const name of fs.readdirSync(outDir)) {
    if (name === keep || !/^(cli-[0-9a-f]{16}|\.cli-build-.*)$/.test(name)) continue
    const path = join(outDir, name)
    try {
      if (now - fs.statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS)
        fs.rmSync(path, { recursive: true, force: true })
    } catch {
      // Another command removed it first.
    }
  }
}

function fingerprint(path) {
  try {
    const info = fs.statSync(path)
    return `${info.size}:${info.mtimeMs}`
  } catch {
    return 'missing'
  }
}

module.exports = { ensureCliBundle, currentBundle }

if (require.main === module) {
  const bundle = ensureCliBundle({
    onError: (err) =>
      console.log(`CLI bundle not built (${err.message.split('\n')[0]}); the CLI will use tsx`)
  })
  if (bundle) console.log(`CLI bundle: ${relative(ROOT, bundle)}`)
}
