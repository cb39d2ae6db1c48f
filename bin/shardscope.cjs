#!/usr/bin/env node
// The `shardscope` command (and `npm run cli`): runs the CLI's esbuild bundle in this process, rebuilding it
// first if a source changed (scripts/cli-bundle.cjs). Where no bundle can be had (a read-only install whose
// postinstall did not run), it runs the TypeScript sources through tsx's loader as before, only slower.
const { join } = require('node:path')
const { ensureCliBundle } = require('../scripts/cli-bundle.cjs')

const bundle = ensureCliBundle()
if (bundle) {
  if (process.env.SHARDSCOPE_DEBUG === '1') process.setSourceMapsEnabled(true)
  require(bundle)
} else {
  const { spawnSync } = require('node:child_process')
  const { pathToFileURL } = require('node:url')
  // The loader is passed by absolute URL so the command works from any working directory.
  const loader = pathToFileURL(require.resolve('tsx')).href
  const entry = join(__dirname, '..', 'src-main', 'cli', 'main.ts')
  const result = spawnSync(process.execPath, ['--import', loader, entry, ...process.argv.slice(2)], {
    stdio: 'inherit'
  })
  process.exitCode = result.status ?? (result.signal === 'SIGINT' ? 130 : 1)
}
