import * as d3 from 'd3'
import { paletteTheme, stageColor } from './palette'

/**
 * The stage's tint from the shared palette, deepened (lightened in the dark) so bars, borders and text on that
 * tint stand out: dark enough to be read as text on it (WCAG AA, 4.5:1).
 */
export function stageInk(stage: number): string {
  const tint = d3.hsl(stageColor(stage))
  const dark = paletteTheme() === 'dark'
  return d3.hsl(tint.h, dark ? 0.6 : 0.55, dark ? 0.74 : 0.34).formatHex()
}
