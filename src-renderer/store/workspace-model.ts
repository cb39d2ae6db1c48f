import type { OpenedItem, PairMatch, SavedWorkspace } from '../../src-main/api/contract'

/** One thing the user opened: what it was recognised as (or why not), and whether it came with the sample. */
export interface WorkspaceItem {
  path: string
  opened: OpenedItem
  sample?: boolean
  /** Copied to the server from a browser drop: it lives in a session folder and is not kept across sessions. */
  uploaded?: boolean
}

export interface Pair {
  strategy: string
  folder: string
}

/** The checkpoint folder the user paired with a strategy, if any: the only source of shapes, dtypes and bytes. */
export function pairedFolder(pairs: readonly Pair[], strategy: string | undefined): string | undefined {
  return strategy === undefined ? undefined : pairs.find((p) => p.strategy === strategy)?.folder
}

export function pairedStrategy(pairs: readonly Pair[], folder: string | undefined): string | undefined {
  return folder === undefined ? undefined : pairs.find((p) => p.folder === folder)?.strategy
}

/** A pair replaces whatever either side was paired with before: a folder is described by one strategy. */
export function withPair(pairs: readonly Pair[], pair: Pair): Pair[] {
  return [...pairs.filter((p) => p.strategy !== pair.strategy && p.folder !== pair.folder), pair]
}

export function itemsOfKind(
  items: readonly WorkspaceItem[],
  kind: 'strategy' | 'checkpoint-folder'
): string[] {
  return items.filter((i) => i.opened.ok && i.opened.kind === kind).map((i) => i.path)
}

/**
 * What to suggest pairing a strategy (or a folder) with: the good fits among open, unpaired items, best first.
 * Only suggested; the app never pairs by itself.
 */
export function suggestionsFor(
  path: string,
  side: 'strategy' | 'folder',
  matches: readonly PairMatch[],
  pairs: readonly Pair[]
): PairMatch[] {
  const taken = new Set(pairs.map((p) => (side === 'strategy' ? p.folder : p.strategy)))
  return matches
    .filter((m) => m.fit === 'good' && (side === 'strategy' ? m.strategy : m.folder) === path)
    .filter((m) => !taken.has(side === 'strategy' ? m.folder : m.strategy))
}

/** What is kept for the next session: paths and pairs, never uploads (their session folder goes away). */
export function toSaved(items: readonly WorkspaceItem[], pairs: readonly Pair[]): SavedWorkspace {
  const kept = items.filter((i) => !i.uploaded)
  const paths = new Set(kept.map((i) => i.path))
  return {
    items: kept.map((i) => ({ path: i.path, ...(i.sample ? { sample: true } : {}) })),
    pairs: pairs.filter((p) => paths.has(p.strategy) && paths.has(p.folder))
  }
}
