import { deviceCount, rankToCoords } from '../../engine/layout/device-matrix'
import type { ParamLayout, StrategySet } from '../../engine/model/strategy-set'
import type { SampleModel, SampleParam } from './sample-model'

function layout(
  param: SampleParam,
  stage: number,
  devMatrix: number[],
  map: number[],
  optShardSize: number
): ParamLayout {
  return {
    name: param.name,
    stage,
    devMatrix,
    tensorMap: map,
    tensorMapForm: 'flat',
    paramSplitShape: [],
    indicesOffset: [],
    field: 0,
    optShardStep: optShardSize > 0 ? optimizerStep(devMatrix, map) : 0,
    optShardSize
  }
}

/** MindSpore records the rank stride inside a parameter's repeated group as `opt_weight_shard_step`. */
function optimizerStep(devMatrix: number[], map: number[]): number {
  const used = new Set(map.filter((m) => m >= 0).map((m) => devMatrix.length - 1 - m))
  const group = Array.from({ length: deviceCount(devMatrix) }, (_, r) => r).filter((r) => {
    const c = rankToCoords(r, devMatrix)
    return [...used].every((axis) => c[axis] === 0)
  })
  return group.length > 1 ? (group[group.length - 1]! - group[0]!) / (group.length - 1) : 0
}

/** The training layout of every stage, merged (stage-prefixed names), as the 8 ranks were trained. */
export function sampleSourceStrategy(model: SampleModel): StrategySet {
  const { devMatrix, optimizerShardSize } = model.source
  return {
    sources: ['<sample>'],
    format: 'protobuf',
    currentStage: 1,
    merged: true,
    operators: stageOperators(model.source.stages),
    layouts: model.params.flatMap((p) =>
      p.stages.map((stage) =>
        layout(p, stage, devMatrix, p.sourceMap, p.optimizerShard ? optimizerShardSize : 0)
      )
    )
  }
}

/** One stage's own strategy file, as each pipeline stage writes it (unprefixed names). */
export function sampleStageStrategy(model: SampleModel, stage: number): StrategySet {
  const merged = sampleSourceStrategy(model)
  return {
    ...merged,
    merged: false,
    operators: merged.operators.filter((op) => op.stage === stage),
    layouts: merged.layouts.filter((l) => l.stage === stage)
  }
}

export function sampleDestinationStrategy(model: SampleModel): StrategySet {
  return {
    sources: ['<sample>'],
    format: 'protobuf',
    currentStage: 1,
    merged: false,
    operators: stageOperators(1),
    layouts: model.params.map((p) => layout(p, 0, model.destination.devMatrix, p.destinationMap, 0))
  }
}

function stageOperators(stages: number) {
  return Array.from({ length: stages }, (_, stage) => ({
    nodeName: `MatMul_model.layers.${stage * 2}.attention.wq.weight`,
    stage,
    strategies: [
      [1, 1],
      [2, 1]
    ]
  }))
}
