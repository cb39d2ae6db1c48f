import { stat } from 'node:fs/promises'
import { readStrategyInput, strategyFilesIn } from '../engine/formats/strategy/strategy-file'
import type { StrategySet } from '../engine/model/strategy-set'

// A handful of strategies are in play at once (source, destination, a few opened ones).
const KEEP = 8
const cache = new Map<string, { stamp: string; set: Promise<StrategySet> }>()

/**
 * The app opens a strategy, then describes it, then plans with it: parsing a 10,000-parameter file once instead
 * of three times keeps the window quick. Entries are keyed by path and invalidated by size and mtime.
 */
export async function cachedStrategy(path: string): Promise<StrategySet> {
  const stamp = await stampOf(path)
  const hit = cache.get(path)
  if (hit && hit.stamp === stamp) return hit.set
  const set = readStrategyInput(path)
  cache.set(path, { stamp, set })
  set.catch(() => cache.delete(path))
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!)
  return set
}

async function stampOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined)
  if (!info) return 'missing'
  if (!info.isDirectory()) return `${info.size}:${info.mtimeMs}`
  const files = await strategyFilesIn(path).catch(() => [] as string[])
  const stamps = await Promise.all(
    files.map(async (f) =>
      stat(f).then(
        (s) => `${f}:${s.size}:${s.mtimeMs}`,
        () => f
      )
    )
  )
  return `${info.mtimeMs}|${stamps.join('|')}`
}
