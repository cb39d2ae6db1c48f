import * as d3 from 'd3'

/** A stable color per rank (or per slice index), distinguishable up to a few dozen and cycling after. */
const scheme = [...d3.schemeTableau10, ...d3.schemeSet3]

export function rankColor(rank: number): string {
  return scheme[((rank % scheme.length) + scheme.length) % scheme.length]!
}

export const STAGE_COLORS = ['#eef3fb', '#fbf1e8', '#edf7ee', '#f6edf8']

export function stageColor(stage: number): string {
  return STAGE_COLORS[stage % STAGE_COLORS.length]!
}
