import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Where node-gyp puts the addon, relative to the project root. */
export const ADDON_PATH = 'native/build/Release/shardscope_native.node'

export type AddonLoad = { path: string; exports: Record<string, unknown> } | { error: string }

/** Each candidate is loaded at most once per process: its exports, or why it failed. */
const loaded = new Map<string, Record<string, unknown> | Error>()

/**
 * Where the addon can be: next to the sources (src-main/engine/exec), next to electron-vite's bundle
 * (out/main), or under the working directory when the app runs from the project root.
 */
export function addonCandidates(): string[] {
  const candidates = [
    join(__dirname, '../../..', ADDON_PATH),
    join(__dirname, '../..', ADDON_PATH),
    join(process.cwd(), ADDON_PATH)
  ].map((path) => resolve(path))
  return [...new Set(candidates)]
}

/**
 * The first built addon that loads and exports every function in `needed`, or one sentence saying why there
 * is none. Callers fall back to JavaScript on an error; nothing here throws.
 */
export function loadAddon(needed: readonly string[]): AddonLoad {
  const failures: string[] = []
  for (const path of addonCandidates()) {
    if (!existsSync(path)) continue
    const exports = loadOnce(path)
    if (exports instanceof Error) {
      failures.push(`${path}: ${exports.message}`)
      continue
    }
    const missing = needed.filter((name) => typeof exports[name] !== 'function')
    if (missing.length > 0) {
      failures.push(`${path} lacks ${missing.join('/')} (stale build?)`)
      continue
    }
    return { path, exports }
  }
  if (failures.length > 0) return { error: `the native addon did not load (${failures.join('; ')})` }
  return { error: `the native addon is not built (no ${ADDON_PATH}; run node scripts/build-native.mjs)` }
}

function loadOnce(path: string): Record<string, unknown> | Error {
  let exports = loaded.get(path)
  if (exports === undefined) {
    try {
      const addon = { exports: {} as Record<string, unknown> }
      // process.dlopen keeps bundlers from trying to resolve the .node file at build time.
      process.dlopen(addon, path)
      exports = addon.exports
    } catch (error) {
      exports = error instanceof Error ? error : new Error(String(error))
    }
    loaded.set(path, exports)
  }
  return exports
}
