import { dirname } from 'node:path'
import type { ConvertedFolder, OpenedItem } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { readManifest } from '../engine/exec/manifest'
import { sniffPath } from '../engine/formats/sniff'
import { stagesOf } from '../engine/model/strategy-set'
import { formatBytes } from '../engine/util/format-bytes'
import { inspectPath } from './inspect'
import { cachedFolder } from './folder-cache'
import { cachedStrategy } from './strategy-cache'

/** What a dropped or opened path is, in one line a user understands, or why it is not something we read. */
export async function openPath(path: string): Promise<OpenedItem> {
  try {
    const kind = await sniffPath(path)
    if (kind.kind === 'strategy' || kind.kind === 'strategy-folder') {
      // Through the cache: describing and planning with it next will not parse it again.
      const set = await cachedStrategy(path)
      const stages = stagesOf(set).length
      return {
        ok: true,
        kind: 'strategy',
        path,
        title: 'Strategy',
        detail: `${set.layouts.length} parameter layouts in ${stages} pipeline stage${stages === 1 ? '' : 's'}`
      }
    }
    if (kind.kind === 'checkpoint-folder') {
      // Through the cache too: describing the folder next reuses these header indexes.
      const { set, indexed } = await cachedFolder(path)
      const problems =
        set.problems.length > 0
          ? `; ${set.problems.length} problem${set.problems.length === 1 ? '' : 's'}`
          : ''
      const unread = set.ranks.length - indexed.size
      const failed = unread > 0 ? `; ${unread} unreadable file${unread === 1 ? '' : 's'}` : ''
      const converted = await convertedFolder(path)
      return {
        ok: true,
        kind: 'checkpoint-folder',
        path,
        title: converted ? 'Converted checkpoint folder' : 'Checkpoint folder',
        detail: `${set.ranks.length} rank${set.ranks.length === 1 ? '' : 's'}, ${formatBytes(set.totalBytes)}${problems}${failed}`,
        ...(converted ? { converted } : {})
      }
    }
    const report = await inspectPath(path)
    if (report.kind === 'checkpoint') {
      const bytes = report.params.reduce((s, p) => s + p.bytes, 0)
      return {
        ok: true,
        kind: 'checkpoint',
        path,
        title: 'Checkpoint file',
        detail: `${report.params.length} tensors, ${formatBytes(bytes)}`
      }
    }
    if (report.kind === 'rank-table') {
      return {
        ok: true,
        kind: 'rank-table',
        path,
        title: 'Rank table',
        detail: `${report.servers.length} servers, ${report.ranks.length} ranks`
      }
    }
    return { ok: false, path, error: `${path} could not be recognised.` }
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    return { ok: false, path, error: err.message }
  }
}

/** What a folder's Shardscope manifest says it was made from, if it has a readable one. */
async function convertedFolder(path: string): Promise<ConvertedFolder | undefined> {
  const manifest = await readManifest(path).catch(() => undefined)
  if (!manifest) return undefined
  const paths = manifest.strategies?.destination?.paths ?? []
  // A folder of per-stage files is recorded file by file; the folder is what the user opens.
  const folders = [...new Set(paths.map((p) => dirname(p)))]
  const destinationStrategy = paths.length === 1 ? paths[0] : folders.length === 1 ? folders[0] : undefined
  return {
    outputs: Object.keys(manifest.outputs).length,
    ...(manifest.sourceFolder ? { sourceFolder: manifest.sourceFolder } : {}),
    ...(destinationStrategy ? { destinationStrategy } : {})
  }
}
