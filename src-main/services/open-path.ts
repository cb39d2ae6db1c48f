import type { OpenedItem } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { sniffPath } from '../engine/formats/sniff'
import { stagesOf } from '../engine/model/strategy-set'
import { formatBytes } from '../engine/util/format-bytes'
import { inspectPath } from './inspect'
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
    if (report.kind === 'checkpoint-folder') {
      const bytes = report.ranks.reduce((s, r) => s + r.bytes, 0)
      const problems =
        report.problems.length > 0
          ? `; ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`
          : ''
      return {
        ok: true,
        kind: 'checkpoint-folder',
        path,
        title: 'Checkpoint folder',
        detail: `${report.ranks.length} ranks, ${formatBytes(bytes)}${problems}`
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
