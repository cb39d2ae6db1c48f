import * as d3 from 'd3'

/** A stable color per rank (or per slice index), distinguishable up to a few dozen and cycling after. */
const scheme = [...d3.schemeTableau10, ...d3.schemeSet3]

export type PaletteTheme = 'light' | 'dark'
let theme: PaletteTheme = 'light'

/**
 * Drawings compute some colours in script (tints, stage washes), so they follow the theme through here; the
 * app shell sets it when the system theme changes and redraws.
 */
export function setPaletteTheme(next: PaletteTheme): void {
  theme = next
}

export function paletteTheme(): PaletteTheme {
  return theme
}

export function rankColor(rank: number): string {
  return scheme[((rank % scheme.length) + scheme.length) % scheme.length]!
}

export const STAGE_COLORS = ['#eef3fb', '#fbf1e8', '#edf7ee', '#f6edf8']
const DARK_STAGE_COLORS = ['#1f2b40', '#372b1f', '#1e3326', '#33233a']

export function stageColor(stage: number): string {
  const colors = theme === 'dark' ? DARK_STAGE_COLORS : STAGE_COLORS
  return colors[stage % colors.length]!
}

/** What drawings are painted on: exported images get it as their background. */
export function canvasColor(): string {
  return theme === 'dark' ? '#1d2430' : '#ffffff'
}

/** Destination nodes of the flow diagram: neutral, so the source colours carry the meaning. */
export function neutralInk(): string {
  return theme === 'dark' ? '#8d9ab0' : '#3b4a63'
}
