import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** Where Huawei's installers put things when nobody chose otherwise. */
const DEFAULT_ASCEND_ROOT = '/usr/local/Ascend'
const DEFAULT_TOOLKIT_HOMES = [`${DEFAULT_ASCEND_ROOT}/ascend-toolkit/latest`, `${DEFAULT_ASCEND_ROOT}/cann`]

export interface ProbeEnvironment {
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv
  /** The library directories put in front of LD_LIBRARY_PATH, in search order (only ones that exist). */
  libraryDirectories: string[]
}

/**
 * The environment `source set_env.sh` would give a CANN program, built without running a shell: the toolkit's
 * and the driver's library directories ahead of LD_LIBRARY_PATH, and ASCEND_HOME_PATH / ASCEND_TOOLKIT_HOME /
 * ASCEND_OPP_PATH where they are unset. `libraryPath`, when given, is searched before all of them.
 */
export function probeEnvironment(base: NodeJS.ProcessEnv, libraryPath?: string): ProbeEnvironment {
  const toolkit =
    nonEmpty(base.ASCEND_TOOLKIT_HOME) ??
    nonEmpty(base.ASCEND_HOME_PATH) ??
    DEFAULT_TOOLKIT_HOMES.find((home) => existsSync(home))
  const candidates = [
    ...(libraryPath !== undefined ? [libraryPath] : []),
    ...(toolkit !== undefined ? toolkitLibraryDirectories(toolkit) : []),
    ...driverLibraryDirectories(toolkit)
  ]
  const libraryDirectories = [...new Set(candidates)].filter((dir) => dir === libraryPath || existsSync(dir))
  const inherited = nonEmpty(base.LD_LIBRARY_PATH)
  const env: NodeJS.ProcessEnv = {
    ...base,
    LD_LIBRARY_PATH: [...libraryDirectories, ...(inherited !== undefined ? [inherited] : [])].join(':'),
    // The child is plain Node even when the app runs inside Electron.
    ELECTRON_RUN_AS_NODE: '1'
  }
  // The parent's loaders (tsx, a debugger) have no business in a ten-line probe.
  delete env.NODE_OPTIONS
  if (toolkit !== undefined) {
    env.ASCEND_HOME_PATH ??= toolkit
    env.ASCEND_TOOLKIT_HOME ??= toolkit
    env.ASCEND_OPP_PATH ??= join(toolkit, 'opp')
  }
  return { env, libraryDirectories }
}

function toolkitLibraryDirectories(toolkit: string): string[] {
  return [
    join(toolkit, 'lib64'),
    join(toolkit, 'lib64/plugin/opskernel'),
    join(toolkit, 'lib64/plugin/nnengine')
  ]
}

/**
 * The driver (libdcmi.so and the libraries libascendcl.so needs) sits under the Ascend root: the default one,
 * and the one that holds the toolkit when it lives at <root>/ascend-toolkit/<version>.
 */
function driverLibraryDirectories(toolkit: string | undefined): string[] {
  const roots = [DEFAULT_ASCEND_ROOT]
  if (toolkit !== undefined && /\/ascend-toolkit\/[^/]+\/?$/.test(toolkit)) {
    roots.unshift(dirname(dirname(toolkit.replace(/\/$/, ''))))
  }
  const dirs = roots.flatMap((root) => [
    join(root, 'driver/lib64'),
    join(root, 'driver/lib64/common'),
    join(root, 'driver/lib64/driver')
  ])
  // Some driver packages install DCMI on its own.
  return [...dirs, '/usr/local/dcmi']
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value !== '' ? value : undefined
}
