import { castFloatsJs } from './cast'
import { copyBoxJs, type Kernels } from './kernels'
import { loadAddon } from './native-addon'

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

function tryLoadAddon(): NativeLoad {
  const addon = loadAddon(['copyBox', 'castFloats'])
  if ('error' in addon) return addon
  const { copyBox, castFloats } = addon.exports
  return { kernels: { name: 'native', copyBox, castFloats } as Kernels }
}
