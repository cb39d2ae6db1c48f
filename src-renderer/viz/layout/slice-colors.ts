import * as d3 from 'd3'
import { canvasColor, paletteTheme, rankColor } from '../palette'

/**
 * Colours of distinct slices, shared by the device matrix and the tensor layout so a slice looks the same in
 * both: the strong colour marks what is highlighted, the tint fills everything else.
 */
export function sliceColor(index: number): string {
  return rankColor(index)
}

/**
 * How far a tint moves from the slice colour toward the canvas. On white the palette's light half (Set3) is
 * already pale, and the dark theme's mix toward white read as nearly white: the light theme mixes less.
 */
const TINT_MIX = { light: 0.3, dark: 0.55 } as const
/** How far a slice that is not the pointed one fades further toward the canvas. */
const FADE_MIX = { light: 0.35, dark: 0.6 } as const

export function sliceTint(index: number): string {
  return d3.interpolateRgb(rankColor(index), canvasColor())(TINT_MIX[paletteTheme()])
}

/** A tint faded back, for the slices other than the one pointed at. */
export function sliceFaded(index: number): string {
  return d3.interpolateRgb(sliceTint(index), canvasColor())(FADE_MIX[paletteTheme()])
}

/** A stable colour index per distinct stored slice, in the order the slices are first met. */
export function colorIndexByKey(keys: Iterable<string>): Map<string, number> {
  const map = new Map<string, number>()
  for (const key of keys) if (!map.has(key)) map.set(key, map.size)
  return map
}
