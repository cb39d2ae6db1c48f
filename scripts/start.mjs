// `npm start`: build, then open the Electron app; where Electron's binary cannot be had (no download access),
// say so in one line and run the same app in browser mode instead.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const passThrough = process.argv.slice(2)

const build = spawnSync(
  process.execPath,
  [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit']
  }
)
if (build.status !== 0) {
  console.error('start: the build failed (see above).')
  process.exit(build.status ?? 1)
}

function electronBinary() {
  // Requiring `electron` resolves (and on first use downloads) its binary; failure means we cannot run it here.
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("electron"))'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000
  })
  const path = probe.status === 0 ? probe.stdout.trim() : ''
  return path && existsSync(path) ? path : undefined
}

const electron = process.env.SHARDSCOPE_BROWSER === '1' ? undefined : electronBinary()
const child = electron
  ? spawn(electron, [root, ...passThrough], { cwd: root, stdio: 'inherit' })
  : (console.log(
      'Electron is not available on this machine (its binary cannot be downloaded); starting browser mode instead.'
    ),
    spawn(process.execPath, ['--import', 'tsx', join(root, 'src-main/shells/web/main.ts'), ...passThrough], {
      cwd: root,
      stdio: 'inherit',
      // tsx's compile cache sits in the shared temporary folder, where another local user could plant code.
      env: { ...process.env, TSX_DISABLE_CACHE: '1' }
    }))
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code) => process.exit(code ?? 0))
