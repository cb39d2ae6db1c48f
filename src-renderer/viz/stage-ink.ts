import * as d3 from 'd3'
import { stageColor } from './palette'

/** The stage's tint from the shared palette, deepened so bars and borders stand out on that tint. */
export function stageInk(stage: number): string {
  const tint = d3.hsl(stageColor(stage))
  return d3.hsl(tint.h, 0.5, 0.5).formatHex()
}
