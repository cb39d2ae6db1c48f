#!/usr/bin/env node
// The installed `shardscope` command: runs the TypeScript CLI through tsx's loader, so there is no build step
// to forget. The loader is passed by absolute URL so the command works from any working directory.
const { spawnSync } = require('node:child_process')
const { join } = require('node:path')
const { pathToFileURL } = require('node:url')

const loader = pathToFileURL(require.resolve('tsx')).href
const entry = join(__dirname, '..', 'src-main', 'cli', 'main.ts')
const result = spawnSync(process.execPath, ['--import', loader, entry, ...process.argv.slice(2)], {
  stdio: 'inherit'
})
process.exitCode = result.status ?? (result.signal === 'SIGINT' ? 130 : 1)
