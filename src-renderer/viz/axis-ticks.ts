import * as d3 from 'd3'

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export interface ValueAxis {
  max: number
  ticks: { value: number; label: string }[]
}

/**
 * Round ticks for a value axis. Bytes tick in whole binary units (100 KiB, 200 KiB…) rather than at decimal
 * values that would print as 97.7 KiB.
 */
export function valueAxis(max: number, unit: 'bytes' | 'count', count = 5): ValueAxis {
  if (unit === 'count') {
    const scale = d3
      .scaleLinear()
      .domain([0, Math.max(1, max)])
      .nice(count)
    return {
      max: scale.domain()[1]!,
      ticks: scale
        .ticks(count)
        .filter(Number.isInteger)
        .map((value) => ({ value, label: d3.format(',')(value) }))
    }
  }
  const power = Math.min(
    BYTE_UNITS.length - 1,
    Math.max(0, Math.floor(Math.log(Math.max(1, max)) / Math.log(1024)))
  )
  const step = 1024 ** power
  const scale = d3
    .scaleLinear()
    .domain([0, Math.max(1, max) / step])
    .nice(count)
  return {
    max: scale.domain()[1]! * step,
    ticks: scale
      .ticks(count)
      .map((t) => ({ value: t * step, label: t === 0 ? '0' : `${d3.format(',')(t)} ${BYTE_UNITS[power]}` }))
  }
}
