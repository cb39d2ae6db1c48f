// The planning benchmark's inputs: a decoder model of any parameter count, trained as dp × mp × pp with
// optimizer sharding (weights in bf16, Adam moments in fp32), and the rank files it would have left: real
// `.ckpt` record headers for every rank, with payloads as small as the layouts allow. The layouts are those of
// a real run; the tensors are thin (8 columns) so that thousands of rank files fit in a few hundred MB.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { recordHeader } from '../src-main/engine/formats/ckpt/ckpt-writer'
import { writeStrategyFile } from '../src-main/engine/formats/strategy/strategy-file'
import type { ParamLayout, StrategySet } from '../src-main/engine/model/strategy-set'

export interface Parallelism {
  pp: number
  dp: number
  mp: number
}

export const ranksOf = (p: Parallelism) => p.pp * p.dp * p.mp

interface ModelParam {
  name: string
  dtype: 'BFloat16' | 'Float32'
  shape: number[]
  /** Tensor map on the device matrix [dp, mp]: 0 is mp, -1 not split. */
  map: number[]
  /** Position in the model, 0..1, which decides its pipeline stage on either side. */
  depth: number
}

const COLUMNS = 8

/**
 * `count` strategy entries of a Llama-like decoder: per layer 9 weights (column-parallel wq wk wv w1 w3,
 * row-parallel wo w2, two norms), each with its adam_m and adam_v; the embedding first and the head last.
 * `hidden` must be a multiple of mp × dp on both sides so every optimizer shard is whole.
 */
export function planModel(count: number, hidden: number): ModelParam[] {
  const layerWeights: [string, number[], number[]][] = [
    ['attention.wq.weight', [hidden, COLUMNS], [0, -1]],
    ['attention.wk.weight', [hidden, COLUMNS], [0, -1]],
    ['attention.wv.weight', [hidden, COLUMNS], [0, -1]],
    ['attention.wo.weight', [hidden, COLUMNS], [-1, 0]],
    ['feed_forward.w1.weight', [hidden, COLUMNS], [0, -1]],
    ['feed_forward.w3.weight', [hidden, COLUMNS], [0, -1]],
    ['feed_forward.w2.weight', [hidden, COLUMNS], [-1, 0]],
    ['attention_norm.weight', [hidden], [-1]],
    ['ffn_norm.weight', [hidden], [-1]]
  ]
  const layers = Math.max(1, Math.ceil((count - 9) / (layerWeights.length * 3)))
  const weights: Omit<ModelParam, 'dtype'>[] = [
    { name: 'model.tok_embeddings.embedding_weight', shape: [2 * hidden, COLUMNS], map: [0, -1], depth: 0 }
  ]
  for (let layer = 0; layer < layers; layer++) {
    for (const [name, shape, map] of layerWeights)
      weights.push({ name: `model.layers.${layer}.${name}`, shape, map, depth: (layer + 0.5) / layers })
  }
  weights.push(
    { name: 'model.norm_out.weight', shape: [hidden], map: [-1], depth: 1 },
    { name: 'lm_head.weight', shape: [2 * hidden, COLUMNS], map: [0, -1], depth: 1 }
  )
  const params: ModelParam[] = []
  for (const w of weights) {
    params.push({ ...w, dtype: 'BFloat16' })
    params.push({ ...w, name: `adam_m.${w.name}`, dtype: 'Float32' })
    params.push({ ...w, name: `adam_v.${w.name}`, dtype: 'Float32' })
  }
  return params.slice(0, count)
}

const stageOf = (param: ModelParam, pp: number) => Math.min(pp - 1, Math.floor(param.depth * pp))

/** The merged strategy (stage-prefixed names, as merge_pipeline_strategys writes) of one side. */
export function planStrategy(params: ModelParam[], side: Parallelism): StrategySet {
  const devMatrix = [side.dp, side.mp]
  const layouts = params.map((p): ParamLayout => ({
    name: p.name,
    stage: stageOf(p, side.pp),
    devMatrix,
    tensorMap: p.map,
    tensorMapForm: 'flat',
    paramSplitShape: [],
    indicesOffset: [],
    field: 0,
    // Optimizer sharding over the data-parallel group; the step is the rank stride within that group.
    optShardSize: side.dp,
    optShardStep: p.map.includes(0) ? side.mp : 1
  }))
  return {
    sources: ['<bench>'],
    format: 'protobuf',
    currentStage: 1,
    merged: side.pp > 1,
    operators: Array.from({ length: side.pp }, (_, stage) => ({
      nodeName: `MatMul-op${stage}`,
      stage,
      strategies: [
        [side.dp, 1],
        [side.mp, 1]
      ]
    })),
    layouts
  }
}

/** The slice every rank of a stage stores: model-parallel split, then dimension 0 cut by the optimizer shards. */
function storedShape(p: ModelParam, side: Parallelism): number[] {
  const shape = p.shape.map((size, i) => (p.map[i] === 0 ? size / side.mp : size))
  shape[0] = shape[0]! / side.dp
  return shape
}

const BYTES = { BFloat16: 2, Float32: 4 } as const

/**
 * Writes `rank_<r>/checkpoint_<r>.ckpt` for every source rank: the records of its stage's parameters and a
 * global_step. Ranks of one stage store the same shapes, so a stage's file is built once and written per rank.
 * Returns the number of records per file by stage.
 */
export function writePlanFolder(root: string, params: ModelParam[], side: Parallelism): number[] {
  const records: number[] = []
  for (let stage = 0; stage < side.pp; stage++) {
    const parts: Uint8Array[] = []
    const mine = params.filter((p) => stageOf(p, side.pp) === stage)
    for (const p of mine) {
      const shape = storedShape(p, side)
      const bytes = shape.reduce((a, b) => a * b, 1) * BYTES[p.dtype]
      parts.push(recordHeader(p.name, p.dtype, shape, bytes), new Uint8Array(bytes))
    }
    parts.push(recordHeader('global_step', 'Int32', [1], 4), new Uint8Array([1, 0, 0, 0]))
    const file = Buffer.concat(parts)
    records.push(mine.length + 1)
    const perStage = side.dp * side.mp
    for (let local = 0; local < perStage; local++) {
      const rank = stage * perStage + local
      mkdirSync(join(root, `rank_${rank}`), { recursive: true })
      writeFileSync(join(root, `rank_${rank}`, `checkpoint_${rank}.ckpt`), file)
    }
  }
  return records
}

export async function writePlanStrategy(
  path: string,
  params: ModelParam[],
  side: Parallelism
): Promise<void> {
  await writeStrategyFile(planStrategy(params, side), path)
}
