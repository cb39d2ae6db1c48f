import * as d3 from 'd3'
import { canvasColor, rankColor } from '../palette'

/**
 * Colours of distinct slices, shared by the device matrix and the tensor layout so a slice looks the same in
 * both: the strong colour marks what is highlighted, the tint fills everything else.
 */
export function sliceColor(index: number): string {
  return rankColor(index)
}

export function sliceTint(index: number): string {
  return d3.interpolateRgb(rankColor(index), canvasColor())(0.55)
}

/** A stable colour index per distinct stored slice, in the order the slices are first met. */
export function colorIndexByKey(keys: Iterable<string>): Map<string, number> {
  const map = new Map<string, number>()
  for (const key of keys) if (!map.has(key)) map.set(key, map.size)
  return map
}
