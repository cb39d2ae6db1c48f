import type { ClusterModel } from './cluster-model'
import { rankPlaces } from './cluster-model'

/** One output file as the converted folder's manifest lists it. */
export interface OutputFile {
  rank: number
  /** Relative to the converted folder, `/`-separated: `rank_3/checkpoint_3.ckpt`. */
  relativePath: string
  size: number
  /** Hashes the manifest vouches for, by algorithm (`sha256`, `xxh3_128`). */
  hashes: Record<string, string>
}

/** A file every server gets whatever ranks it holds: the destination strategy, for src_strategy_path_or_dir. */
export interface SharedFile {
  localPath: string
  /** Where it goes under the pushed folder, e.g. `strategy/dst_strategy.ckpt`. */
  relativePath: string
  size: number
}

export interface ServerFileSet {
  server: string
  /** Destination ranks this server runs, ascending. */
  ranks: number[]
  /** Each held rank's files (its `rank_N/` folder) plus the shared files. */
  files: { relativePath: string; size: number; rank?: number; hashes: Record<string, string> }[]
  bytes: number
}

/**
 * Which files each server needs: the `rank_N/` folders of the ranks it runs and the shared files. Servers that
 * run no destination rank get nothing. A push is this data, computed once; nothing re-derives it.
 */
export function serverFileSets(
  model: ClusterModel,
  outputs: OutputFile[],
  shared: SharedFile[]
): ServerFileSet[] {
  const places = rankPlaces(model)
  const byServer = new Map<string, ServerFileSet>()
  for (const output of [...outputs].sort((a, b) => a.rank - b.rank)) {
    const place = places.get(output.rank)
    if (!place) continue
    let set = byServer.get(place.server)
    if (!set) {
      set = { server: place.server, ranks: [], files: [], bytes: 0 }
      byServer.set(place.server, set)
    }
    if (!set.ranks.includes(output.rank)) set.ranks.push(output.rank)
    set.files.push({
      relativePath: output.relativePath,
      size: output.size,
      rank: output.rank,
      hashes: output.hashes
    })
    set.bytes += output.size
  }
  for (const set of byServer.values()) {
    for (const file of shared) {
      set.files.push({ relativePath: file.relativePath, size: file.size, hashes: {} })
      set.bytes += file.size
    }
  }
  return model.servers.flatMap((server) => {
    const set = byServer.get(server.id)
    return set ? [set] : []
  })
}

/** `rank_7/checkpoint_7.ckpt` → `rank_7`; the folder MindSpore's loader scans. */
export function rankFolderOf(relativePath: string): string | undefined {
  const first = relativePath.split('/')[0]
  return first !== undefined && /^rank_\d+$/.test(first) && relativePath.includes('/') ? first : undefined
}
