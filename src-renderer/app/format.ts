import type { TensorMapEntry } from '../../src-main/api/contract'
export { formatBytes } from '../../src-main/engine/util/format-bytes'

export function formatShape(shape: readonly number[] | undefined): string {
  return shape ? `[${shape.join(', ')}]` : '—'
}

export function formatMap(map: readonly TensorMapEntry[]): string {
  return `[${map.map((e) => (Array.isArray(e) ? `[${e.join(', ')}]` : String(e))).join(', ')}]`
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—'
  // Under 10 s a whole-second figure would say "0 s" for a run that took a third of a second.
  if (seconds < 9.95) return `${Math.max(0, seconds).toFixed(1)} s`
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

/** The last part of a path, for compact labels. */
export function baseName(path: string | undefined): string {
  if (!path) return ''
  const parts = path.split(/[\\/]/).filter(Boolean)
  return parts[parts.length - 1] ?? path
}

/** "1, 2 and 3". */
export function listWords(values: number[]): string {
  if (values.length <= 1) return values.join('')
  return `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`
}

/** "1 rank", "3 ranks". */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
}
