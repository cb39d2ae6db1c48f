// Regenerates the static protobuf code for strategy files. Static code, not runtime reflection, because the
// renderer's CSP forbids eval and protobufjs reflection compiles decoders with Function.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(root, 'src-main/engine/formats/strategy')
// An output directory argument lets the up-to-date test generate elsewhere without touching the committed code.
const outDir = process.argv[2] ?? join(dir, 'generated')
mkdirSync(outDir, { recursive: true })
const bin = (name) => join(root, 'node_modules/.bin', name)
const js = join(outDir, 'node-strategy.js')
execFileSync(
  bin('pbjs'),
  [
    '-t',
    'static-module',
    '-w',
    'commonjs',
    '--no-beautify',
    '--no-delimited',
    '--no-verify',
    '--no-convert',
    '--no-service',
    '-o',
    js,
    join(dir, 'node_strategy.proto')
  ],
  { stdio: 'inherit' }
)
execFileSync(bin('pbts'), ['--no-comments', '-o', join(outDir, 'node-strategy.d.ts'), js], {
  stdio: 'inherit'
})
