import type { CheckpointOpenOptions } from '../../src-main/engine/formats/checkpoint-file'
import { withCheckpoint } from '../../src-main/engine/formats/checkpoint-file'
import type { TensorEntry } from '../../src-main/engine/formats/tensor-entry'
import { isShardscopeError } from '../../src-main/engine/errors'
import type { FileIdentity } from '../../src-main/engine/io/file-identity'
import type { CheckpointSet } from '../../src-main/engine/model/checkpoint-set'
import { mapLimit } from '../../src-main/engine/util/map-limit'
import type { Problem } from './plan-types'

/** What the planner keeps of one source rank's file: where each tensor's bytes are, never the bytes. */
export interface IndexedRank {
  rank: number
  path: string
  realPath?: string
  size: number
  identity: FileIdentity
  format: 'ckpt' | 'safetensors'
  /** Whether the file carries a CRC-32 (a `.ckpt` trailer, or `crc_num` in safetensors metadata). */
  hasCrc: boolean
  /** In file order (record order; safetensors header order). */
  tensors: Map<string, TensorEntry>
}

// Enough files in flight to hide latency on network file systems, few enough for any descriptor limit.
const INDEX_CONCURRENCY = 8

/** Indexes the given ranks' files (headers only); a file that cannot be read becomes an error problem. */
export async function indexSourceRanks(
  set: CheckpointSet,
  ranks: readonly number[],
  open: CheckpointOpenOptions,
  problems: Problem[]
): Promise<Map<number, IndexedRank>> {
  const wanted = new Set(ranks)
  const files = set.ranks.filter((r) => wanted.has(r.rank))
  const indexed = await mapLimit(files, INDEX_CONCURRENCY, async (file) => {
    try {
      return await withCheckpoint(file.path, open, async (checkpoint) => {
        for (const warning of checkpoint.warnings)
          problems.push({ severity: 'warning', message: warning, file: file.path, rank: file.rank })
        return {
          rank: file.rank,
          path: file.path,
          ...(file.realPath ? { realPath: file.realPath } : {}),
          size: file.size,
          identity: file.identity,
          format: checkpoint.format,
          hasCrc: checkpoint.hasCrc,
          tensors: new Map(checkpoint.tensors.map((t) => [t.name, t]))
        } satisfies IndexedRank
      })
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      problems.push({ severity: 'error', message: err.message, file: file.path, rank: file.rank })
      return undefined
    }
  })
  return new Map(indexed.filter((r): r is IndexedRank => r !== undefined).map((r) => [r.rank, r]))
}
