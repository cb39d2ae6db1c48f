import type { ParamLayout, StrategySet, TensorMapEntry } from '../../src-main/engine/model/strategy-set'

/** A parameter layout as a strategy file would give it: name `w`, stage 0, no optimizer shard unless `extra` says. */
export function paramLayout(
  devMatrix: number[],
  tensorMap: TensorMapEntry[],
  extra: Partial<ParamLayout> = {}
): ParamLayout {
  return {
    name: 'w',
    stage: 0,
    devMatrix,
    tensorMap,
    tensorMapForm: 'flat',
    paramSplitShape: [],
    indicesOffset: [],
    field: 0,
    optShardStep: 0,
    optShardSize: 0,
    ...extra
  }
}

/** A protobuf strategy of `layouts`, merged when any layout is outside stage 0; one operator names stage 0. */
export function strategyOf(layouts: ParamLayout[], extra: Partial<StrategySet> = {}): StrategySet {
  return {
    sources: ['<built>'],
    format: 'protobuf',
    currentStage: 1,
    merged: layouts.some((l) => l.stage !== 0),
    operators: [{ nodeName: 'MatMul_w', stage: 0, strategies: [] }],
    layouts,
    ...extra
  }
}
