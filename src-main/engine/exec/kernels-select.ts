import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { castFloatsJs } from './cast'
import { copyBoxJs, type Kernels } from './kernels'

const ADDON_PATH = 'native/build/Release/shardscope_native.node'

export const jsKernels: Kernels = { name: 'js', copyBox: copyBoxJs, castFloats: castFloatsJs }

export type NativeLoad = { kernels: Kernels } | { error: string }

let nativeLoad: NativeLoad | undefined
let selected: Kernels | undefined

/**
 * The kernels the executor should use: the native addon when it is built and loads, else JavaScript.
 * SHARDSCOPE_KERNELS=js forces JavaScript; SHARDSCOPE_KERNELS=native makes a missing addon an error.
 */
export function loadKernels(): Kernels {
  if (selected) return selected
  const wanted = process.env.SHARDSCOPE_KERNELS
  if (wanted === 'js') return (selected = jsKernels)
  const native = loadNativeKernels()
  if ('kernels' in native) return (selected = native.kernels)
  if (wanted === 'native') throw new Error(`SHARDSCOPE_KERNELS=native, but ${native.error}`)
  return (selected = jsKernels)
}

/** The native kernels, or why they are unavailable; tried once per process. */
export function loadNativeKernels(): NativeLoad {
  nativeLoad ??= tryLoadAddon()
  return nativeLoad
}

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

function tryLoadAddon(): NativeLoad {
  const failures: string[] = []
  for (const path of addonCandidates()) {
    if (!existsSync(path)) continue
    try {
      const addon = { exports: {} as Record<string, unknown> }
      // process.dlopen keeps bundlers from trying to resolve the .node file at build time.
      process.dlopen(addon, path)
      const { copyBox, castFloats } = addon.exports
      if (typeof copyBox !== 'function' || typeof castFloats !== 'function') {
        failures.push(`${path} lacks copyBox/castFloats (stale build?)`)
        continue
      }
      return { kernels: { name: 'native', copyBox, castFloats } as Kernels }
    } catch (error) {
      failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  if (failures.length > 0) return { error: `the native addon did not load (${failures.join('; ')})` }
  return { error: `the native addon is not built (no ${ADDON_PATH}; run node scripts/build-native.mjs)` }
}
