import { readFile } from 'node:fs/promises'
import { ShardscopeError, type ErrorCode } from '../engine/errors'
import { ioError } from '../engine/io/io-error'
import type { CheckpointOpenOptions } from '../engine/formats/checkpoint-file'
import { withCheckpoint } from '../engine/formats/checkpoint-file'
import { isLegacyScalar } from '../engine/formats/ckpt/ckpt-index'
import { parseRankTable } from '../engine/formats/rank-table/rank-table'
import { sniffPath } from '../engine/formats/sniff'
import { readStrategyInput } from '../engine/formats/strategy/strategy-file'
import { scanCheckpointFolder } from '../engine/model/checkpoint-set'
import type { TensorMapEntry } from '../engine/model/strategy-set'
import { indexSourceRanks } from '../engine/plan/index-ranks'
import type { Problem } from '../engine/plan/plan-types'

export interface StrategyParamRow {
  name: string
  stage: number
  devMatrix: number[]
  tensorMap: TensorMapEntry[]
  optShardSize: number
  optShardStep: number
  field: number
}

export interface CheckpointParamRow {
  name: string
  dtype: string
  /** As stored: a legacy scalar's `[0]` stays `[0]`, as a tool comparing records with MindSpore's expects. */
  shape: number[]
  bytes: number
  /** Present (true) for a MindSpore <= 2.2 scalar stored with `dims=[0]`: one element, shape `[]` when loaded. */
  legacyScalar?: true
}

export interface FolderRankRow {
  rank: number
  file: string
  params: number
  bytes: number
}

export type InspectReport =
  | { kind: 'strategy'; params: StrategyParamRow[] }
  | { kind: 'checkpoint'; params: CheckpointParamRow[] }
  | { kind: 'checkpoint-folder'; ranks: FolderRankRow[]; problems: string[] }
  | {
      kind: 'rank-table'
      servers: { id: string; ip?: string; devices: number }[]
      ranks: { rank: number; server: string; device: number }[]
      problems: string[]
    }

/** What `shardscope inspect` reports for a path, whatever it turns out to be. */
export async function inspectPath(path: string, options: CheckpointOpenOptions = {}): Promise<InspectReport> {
  const kind = await sniffPath(path)
  switch (kind.kind) {
    case 'strategy':
    case 'strategy-folder': {
      const set = await readStrategyInput(path)
      return {
        kind: 'strategy',
        params: set.layouts.map((l) => ({
          name: l.name,
          stage: l.stage,
          devMatrix: l.devMatrix,
          tensorMap: l.tensorMap,
          optShardSize: l.optShardSize,
          optShardStep: l.optShardStep,
          field: l.field
        }))
      }
    }
    case 'checkpoint':
      return withCheckpoint(path, options, async (checkpoint) => ({
        kind: 'checkpoint',
        params: checkpoint.tensors.map((t): CheckpointParamRow =>
          isLegacyScalar(t)
            ? { name: t.name, dtype: t.dtype, shape: [...t.dims], bytes: t.byteLength, legacyScalar: true }
            : { name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.byteLength }
        )
      }))
    case 'checkpoint-folder': {
      const set = await scanCheckpointFolder(path)
      // The planner's indexer: headers only, in parallel on worker threads for a large folder.
      const index = await indexSourceRanks(
        set,
        set.ranks.map((r) => r.rank),
        options,
        [] as Problem[]
      )
      const failed = index.failures[0]
      if (failed)
        throw new ShardscopeError((failed.code ?? 'CORRUPT') as ErrorCode, failed.message, {
          file: failed.path,
          rank: failed.rank
        })
      const ranks = set.ranks.map((rank) => ({
        rank: rank.rank,
        file: `rank_${rank.rank}/${rank.file}`,
        params: index.file(rank.rank)!.records.names.length,
        bytes: rank.size
      }))
      return { kind: 'checkpoint-folder', ranks, problems: set.problems.map((p) => p.message) }
    }
    case 'rank-table':
      return { kind: 'rank-table', ...(await describeRankTable(path)) }
  }
}

/** A rank table's servers, rank → server/device mapping and problems in words. */
export async function describeRankTable(path: string) {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw ioError(err, path, 'read rank table')
  }
  const table = parseRankTable(text, path)
  return {
    servers: table.servers.map((s) => ({
      id: s.id,
      ...(s.ip ? { ip: s.ip } : {}),
      devices: s.devices.length
    })),
    ranks: table.ranks.map((r) => ({ rank: r.rank, server: r.server, device: r.device })),
    problems: table.problems
  }
}
