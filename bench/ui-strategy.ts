import { writeFileSync } from 'node:fs'

/**
 * The strategy bench/ui opens: a merged 2-stage strategy in the JSON form of `count` layouts, with tensor_shape
 * so the explorer knows every shape. `variant` names the layers, so two files differ in every name.
 */
export function writeBenchStrategy(path: string, variant: string, count: number): void {
  const layouts: Record<string, unknown> = {}
  const maps = [
    [2, -1],
    [-1, 1],
    [1, 0],
    [-1, -1]
  ]
  for (let i = 0; i < count; i++) {
    const stage = i < count / 2 ? 0 : 1
    const prefix = ['', 'adam_m.', 'adam_v.'][i % 3]
    layouts[`${stage}-${prefix}${variant}.layers.${Math.floor(i / 12)}.block.w${i % 12}.weight`] = {
      dev_matrix: [2, 2, 2],
      tensor_map: maps[i % maps.length],
      field: 0,
      opt_weight_shard_size: i % 5 === 0 ? 2 : 0,
      opt_weight_shard_step: i % 5 === 0 ? 1 : 0,
      tensor_shape: [4096, 1024 * (1 + (i % 4))]
    }
  }
  writeFileSync(
    path,
    JSON.stringify({
      current_stage: 1,
      parallel_layout_item: layouts,
      parallel_strategy_item: {
        MatMul_a: { stage: 0, parallel_strategy: [[2, 1]] },
        MatMul_b: { stage: 1, parallel_strategy: [[2, 1]] }
      }
    })
  )
}
