import { stat } from 'node:fs/promises'
import { scanCheckpointFolder, type CheckpointSet } from '../engine/model/checkpoint-set'
import type { Problem } from '../engine/plan/plan-types'
import { indexSourceRanks } from '../engine/plan/index-ranks'
import type { SourceIndex } from '../engine/plan/source-index'

export interface IndexedFolder {
  set: CheckpointSet
  indexed: SourceIndex
  /** Files that could not be indexed (and their warnings), as the indexer reported them. */
  problems: Problem[]
}

// The active source folder, a destination or two: a few folders are in play at once.
const KEEP = 4
const cache = new Map<string, { stamp: string; folder: Promise<IndexedFolder> }>()

/**
 * Opening a folder, describing it and describing its strategy all need every rank file's header index; indexing
 * a thousand-rank folder once instead of three times keeps the app quick. Entries are invalidated when any rank
 * file's size or mtime changes.
 */
export async function cachedFolder(path: string): Promise<IndexedFolder> {
  const set = await scanCheckpointFolder(path)
  const stamps = await Promise.all(
    set.ranks.map((r) =>
      stat(r.path).then(
        (s) => `${r.path}:${s.size}:${s.mtimeMs}`,
        () => r.path
      )
    )
  )
  const stamp = stamps.join('|')
  const hit = cache.get(path)
  if (hit && hit.stamp === stamp) return hit.folder
  const folder = (async () => {
    const problems: Problem[] = []
    const indexed = await indexSourceRanks(
      set,
      set.ranks.map((r) => r.rank),
      {},
      problems
    )
    return { set, indexed, problems }
  })()
  cache.set(path, { stamp, folder })
  folder.catch(() => cache.delete(path))
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!)
  return folder
}
