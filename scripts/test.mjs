// `npm test`: every check CI runs, in order, with one closing line `N passed, N failed`.
// Type checking and lint count as one check each; every vitest test counts as one.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules/.bin', name)
let passed = 0
let failed = 0

function step(title, command, args, env = {}) {
  console.log(`\n=== ${title}`)
  const started = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  const ok = result.status === 0
  console.log(`=== ${title}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return ok
}

function check(title, command, args) {
  if (step(title, command, args)) passed++
  else failed++
}

function vitestSuite(title, config) {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-vitest-'))
  const report = join(dir, 'report.json')
  const ok = step(
    title,
    bin('vitest'),
    ['run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    {
      NO_COLOR: '1'
    }
  )
  if (existsSync(report)) {
    const summary = JSON.parse(readFileSync(report, 'utf8'))
    passed += summary.numPassedTests
    failed += summary.numFailedTests
    // A suite that fails to load has no failed tests but must still fail the run.
    if (!ok && summary.numFailedTests === 0) failed++
  } else if (!ok) failed++
  rmSync(dir, { recursive: true, force: true })
}

check('typecheck', 'npm', ['run', '-s', 'typecheck'])
check('lint', 'npm', ['run', '-s', 'lint'])
vitestSuite('unit and integration tests', 'vitest.config.mts')
if (existsSync(join(root, 'vitest.e2e.config.mts'))) {
  if (step('build for end-to-end tests', 'npm', ['run', '-s', 'build']))
    vitestSuite('end-to-end tests (browser mode)', 'vitest.e2e.config.mts')
  else failed++
}

console.log(`\n${passed} passed, ${failed} failed`)
process.exitCode = failed === 0 && passed > 0 ? 0 : 1
