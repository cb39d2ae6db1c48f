import { listWords, plural } from '../../app/format'
import type { FolderDescription, StrategyDescription } from '../../../src-main/api/contract'

export interface StageSummary {
  stage: number
  /** Global ranks `stage × P … stage × P + P − 1`; empty when the strategy's device count is unknown. */
  ranks: number[]
  /** Ranks of this stage without a file in the loaded checkpoint folder. */
  missingRanks: number[]
  params: number
  weights: number
  optimizerStates: number
  /** Bytes each rank of the stage holds, summed over the parameters whose size is known. */
  bytesPerRank: number
  /** Parameters whose size is unknown (no shape or dtype without the checkpoint folder). */
  unsized: number
  shared: number
  /** Tensors in this stage's rank files, as [fewest, most], when the folder is loaded. */
  fileTensors?: [number, number]
}

export interface RankEntry {
  rank: number
  stage: number
  params: number
  bytes: number
  file?: { name: string; size: number; tensors: number }
  /** The folder is loaded but has no file for this rank. */
  missing: boolean
}

export interface SharedParam {
  name: string
  stages: number[]
  optimizerState: boolean
}

export interface PipelineModel {
  stageCount: number
  stageDevices: number
  rankCount: number
  stages: StageSummary[]
  ranks: RankEntry[]
  shared: SharedParam[]
  /** Whether any parameter's size is known; without it the chart counts parameters instead. */
  bytesKnown: boolean
}

export function buildPipelineModel(
  strategy: StrategyDescription,
  folder: FolderDescription | undefined
): PipelineModel {
  const devices = strategy.stageDevices
  const stageIds = new Set(Array.from({ length: strategy.stageCount }, (_, s) => s))
  for (const row of strategy.params) stageIds.add(row.stage)
  const files = new Map((folder?.ranks ?? []).map((r) => [r.rank, r]))

  const sharedByName = new Map<string, SharedParam>()
  for (const row of strategy.params) {
    if (row.stages.length > 1 && !sharedByName.has(row.name)) {
      sharedByName.set(row.name, {
        name: row.name,
        stages: [...row.stages].sort((a, b) => a - b),
        optimizerState: row.optimizerState
      })
    }
  }

  const stages = [...stageIds]
    .sort((a, b) => a - b)
    .map((stage): StageSummary => {
      const rows = strategy.params.filter((r) => r.stage === stage)
      const ranks = devices > 0 ? Array.from({ length: devices }, (_, i) => stage * devices + i) : []
      const tensors = ranks.flatMap((r) => (files.has(r) ? [files.get(r)!.params] : []))
      return {
        stage,
        ranks,
        missingRanks: folder ? ranks.filter((r) => !files.has(r)) : [],
        params: rows.length,
        weights: rows.filter((r) => !r.optimizerState).length,
        optimizerStates: rows.filter((r) => r.optimizerState).length,
        bytesPerRank: rows.reduce((sum, r) => sum + (r.bytesPerRank ?? 0), 0),
        unsized: rows.filter((r) => r.bytesPerRank === undefined).length,
        shared: rows.filter((r) => r.stages.length > 1).length,
        ...(tensors.length > 0
          ? { fileTensors: [Math.min(...tensors), Math.max(...tensors)] as [number, number] }
          : {})
      }
    })

  const ranks = stages.flatMap((s) =>
    s.ranks.map((rank): RankEntry => {
      const file = files.get(rank)
      return {
        rank,
        stage: s.stage,
        params: s.params,
        bytes: s.bytesPerRank,
        ...(file ? { file: { name: file.file, size: file.size, tensors: file.params } } : {}),
        missing: folder !== undefined && !file
      }
    })
  )

  return {
    stageCount: stages.length,
    stageDevices: devices,
    rankCount: ranks.length,
    stages,
    ranks,
    shared: [...sharedByName.values()].sort((a, b) => a.name.localeCompare(b.name)),
    bytesKnown: strategy.params.some((r) => r.bytesPerRank !== undefined)
  }
}

/** "2 stages × 4 devices = 8 ranks; 57 / 63 parameters per stage; 3 parameters shared by stages 0 and 1." */
export function pipelineSentence(model: PipelineModel): string {
  const parts: string[] = []
  const { stageCount, stageDevices, rankCount } = model
  parts.push(
    stageDevices > 0
      ? `${plural(stageCount, 'stage')} × ${plural(stageDevices, 'device')} = ${plural(rankCount, 'rank')}`
      : `${plural(stageCount, 'stage')}, devices per stage unknown`
  )
  const counts = model.stages.map((s) => s.params)
  if (stageCount === 1) parts.push(plural(counts[0] ?? 0, 'parameter'))
  else if (stageCount <= 4) parts.push(`${counts.join(' / ')} parameters per stage`)
  else parts.push(`${Math.min(...counts)}–${Math.max(...counts)} parameters per stage`)
  if (stageCount > 1) parts.push(sharedClause(model.shared))
  return `${parts.join('; ')}.`
}

function sharedClause(shared: SharedParam[]): string {
  if (shared.length === 0) return 'no parameter shared between stages'
  const verb = shared.length === 1 ? 'parameter' : 'parameters'
  const sets = new Set(shared.map((p) => p.stages.join(',')))
  if (sets.size === 1) return `${shared.length} ${verb} shared by stages ${listWords(shared[0]!.stages)}`
  return `${shared.length} ${verb} shared across stages`
}
