import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { indexCkpt } from '../../src-main/engine/formats/ckpt/ckpt-index'
import { readStrategyInput } from '../../src-main/engine/formats/strategy/strategy-file'
import { withLocalFile } from '../../src-main/engine/io/local-file'
import { describeStrategy } from '../../src-main/services/describe-strategy'
import { expandStrategyTable } from '../../src-renderer/api/strategy-table'
import { oracle } from '../helpers/fixtures'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()

const tensorsOf = (path: string) => withLocalFile(path, async (source) => (await indexCkpt(source)).tensors)

/** A merged two-stage JSON strategy of `count` layouts, as large models have them: few layouts, many layers. */
function writeStrategy(path: string, count: number, devMatrix = [2, 2, 2]): void {
  const layouts: Record<string, unknown> = {}
  for (let i = 0; i < count; i++) {
    const prefix = ['', 'adam_m.', 'adam_v.'][i % 3]
    layouts[`${i < count / 2 ? 0 : 1}-${prefix}model.layers.${Math.floor(i / 12)}.w${i % 12}.weight`] = {
      dev_matrix: devMatrix,
      tensor_map: [
        [2, -1],
        [-1, 1],
        [1, 0]
      ][i % 3],
      field: 0,
      opt_weight_shard_size: i % 5 === 0 ? 2 : 0,
      opt_weight_shard_step: i % 5 === 0 ? 1 : 0,
      tensor_shape: [4096, 1024 * (1 + (i % 4))]
    }
  }
  writeFileSync(path, JSON.stringify({ current_stage: 1, parallel_layout_item: layouts }))
}

describe('the strategy table the explorer receives', () => {
  it.each([
    ['dp8_to_mp4', 'src_strategy.ckpt'],
    ['mp2x4_to_mp4', 'src_strategy.ckpt'],
    ['optshard_to_noopt', 'src_strategy.ckpt'],
    ['pipeline2_to_mp4', 'src_strategy_merged.ckpt'],
    ['pipeline2_to_mp4', 'src_strategy_stages']
  ])(
    '%s/%s: each row has its layout, the full shape of MindSpore’s model and what a rank of its stage stores',
    async (name, strategyFile) => {
      const strategy = oracle(name, strategyFile)
      const set = await readStrategyInput(strategy)
      const table = await describeStrategy(strategy, oracle(name, 'src'))
      const { params, stageDevices, problems } = expandStrategyTable(table)
      expect(problems).toEqual([])
      const full = new Map((await tensorsOf(oracle('model', 'full.ckpt'))).map((t) => [t.name, t]))
      const stored = new Map<number, Map<string, { shape: number[]; byteLength: number }>>()
      for (const stage of new Set(set.layouts.map((l) => l.stage))) {
        const rank = stage * stageDevices
        const file = oracle(name, 'src', `rank_${rank}`, `checkpoint_${rank}.ckpt`)
        stored.set(stage, new Map((await tensorsOf(file)).map((t) => [t.name, t])))
      }
      expect(params.map((p) => [p.name, p.stage])).toEqual(set.layouts.map((l) => [l.name, l.stage]))
      params.forEach((row, i) => {
        const layout = set.layouts[i]!
        const tensor = stored.get(row.stage)!.get(row.name)!
        const stages = set.layouts.filter((l) => l.name === row.name).map((l) => l.stage)
        expect(row).toEqual({
          name: layout.name,
          stage: layout.stage,
          stages,
          devMatrix: layout.devMatrix,
          tensorMap: layout.tensorMap,
          optShardSize: layout.optShardSize,
          optShardStep: layout.optShardStep,
          field: layout.field,
          shape: full.get(row.name)!.shape,
          dtype: full.get(row.name)!.dtype,
          sliceShape: tensor.shape,
          bytesPerRank: tensor.byteLength,
          // Sharded: a rank stores less than the whole tensor.
          sharded: tensor.byteLength < full.get(row.name)!.byteLength,
          optimizerState: row.name.startsWith('adam_')
        })
      })
    }
  )

  it('sends each distinct layout once: 20,000 layers travel in under a fifth of one object per row', async () => {
    const path = join(tempDir(), 'large.json')
    writeStrategy(path, 20_000)
    const table = await describeStrategy(path)
    const { params } = expandStrategyTable(table)
    expect([params.length, table.layouts.length]).toEqual([20_000, 24])
    expect(params.filter((p) => p.optimizerState)).toHaveLength(13_333)
    expect(params[7]).toMatchObject({ shape: [4096, 4096], sliceShape: [4096, 2048], tensorMap: [-1, 1] })
    expect(JSON.stringify(table).length).toBeLessThan(JSON.stringify(params).length / 5)
  })

  it('answers from memory until the strategy file changes', async () => {
    const path = join(tempDir(), 'strategy.json')
    writeStrategy(path, 12)
    const first = await describeStrategy(path)
    expect(await describeStrategy(path)).toBe(first)
    writeStrategy(path, 12, [4, 2, 1])
    const changed = await describeStrategy(path)
    expect(changed).not.toBe(first)
    expect(expandStrategyTable(changed).params[0]!.devMatrix).toEqual([4, 2, 1])
  })
})
