/** Ranks as compact ranges: [0,1,2,3,6] → "0–3, 6". */
export function rankRanges(ranks: readonly number[]): string {
  const sorted = [...ranks].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]))
    i = j + 1
  }
  return parts.join(', ')
}
