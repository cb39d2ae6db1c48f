/** Sets of rank ids as inclusive ranges: a gap of a hundred million ranks is two numbers, not a list. */

/** Inclusive ranges of sorted distinct numbers: [0, 1, 2, 5] → [[0, 2], [5, 5]]. */
export function rangesOf(numbers: readonly number[]): [number, number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b)
  const ranges: [number, number][] = []
  for (const n of sorted) {
    const last = ranges[ranges.length - 1]
    if (last && last[1] === n - 1) last[1] = n
    else ranges.push([n, n])
  }
  return ranges
}

/** The ranges of 0…max that `present` (ascending) does not hold, without listing them one by one. */
export function gapsOf(present: readonly number[], max: number): [number, number][] {
  const gaps: [number, number][] = []
  let next = 0
  for (const r of present) {
    if (r > next) gaps.push([next, r - 1])
    next = Math.max(next, r + 1)
  }
  if (next <= max) gaps.push([next, max])
  return gaps
}

/** "1, 2, 5–99999998" */
export function formatRanges(ranges: readonly [number, number][]): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : b === a + 1 ? `${a}, ${b}` : `${a}–${b}`)).join(', ')
}

export function firstRanks(ranges: readonly [number, number][], limit: number): number[] {
  const out: number[] = []
  for (const [a, b] of ranges) for (let r = a; r <= b && out.length < limit; r++) out.push(r)
  return out
}
