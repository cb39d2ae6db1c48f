import * as d3 from 'd3'
import { paletteTheme, stageColor } from './palette'

/** The stage's tint from the shared palette, deepened (lightened in the dark) so bars and borders stand out. */
export function stageInk(stage: number): string {
  const tint = d3.hsl(stageColor(stage))
  return d3
    .hsl(tint.h, paletteTheme() === 'dark' ? 0.55 : 0.5, paletteTheme() === 'dark' ? 0.68 : 0.5)
    .formatHex()
}
