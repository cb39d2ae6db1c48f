// Builds the optional native kernels (native/). Never fails the install: on any problem it prints one line
// and exits 0, and loadKernels() uses the JavaScript kernels instead.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nativeDir = join(root, 'native')

function giveUp(reason) {
  console.log(`native kernels not built (${reason}); using the JavaScript kernels`)
  process.exit(0)
}

/** Local headers spare node-gyp a download, which fails offline: first the running node's prefix, then /usr. */
function headersDir() {
  const candidates = [dirname(dirname(process.execPath)), '/usr']
  return candidates.find((dir) => existsSync(join(dir, 'include/node/node_api.h')))
}

/** The most telling line of a failed build: a compiler or tool error, else the error node-gyp reports. */
function failureReason(output, status) {
  const lines = output.split('\n').map((line) => line.trim())
  const toolError = lines.find((line) => /error:/i.test(line) && !line.startsWith('gyp'))
  const gypError = lines
    .find((line) => line.startsWith('gyp ERR! stack Error:'))
    ?.slice('gyp ERR! stack '.length)
  const reason = toolError ?? gypError ?? `node-gyp exited with ${status}`
  return reason.length > 200 ? `${reason.slice(0, 197)}...` : reason
}

try {
  const require = createRequire(join(root, 'package.json'))
  let nodeGyp
  try {
    nodeGyp = require.resolve('node-gyp/bin/node-gyp.js')
    require.resolve('node-addon-api')
  } catch {
    giveUp('node-gyp or node-addon-api is not installed')
  }
  const nodedir = headersDir()
  const args = [nodeGyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])]
  const result = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8', timeout: 600_000 })
  if (result.error) giveUp(result.error.message)
  if (result.status !== 0) giveUp(failureReason(`${result.stdout}\n${result.stderr}`, result.status))
  console.log('native kernels built: native/build/Release/shardscope_native.node')
} catch (error) {
  giveUp(error instanceof Error ? error.message : String(error))
}
