import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import { parseStrategyJson } from '../../../src-main/engine/formats/strategy/strategy-json'
import { encodeStrategyProtobuf } from '../../../src-main/engine/formats/strategy/strategy-protobuf'
import type { ParamLayout } from '../../../src-main/engine/model/strategy-set'
import { paramLayout, strategyOf } from '../../helpers/strategy-builders'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

const layout = (name: string, stage: number, tensorMap: number[], extra: Partial<ParamLayout> = {}) =>
  paramLayout([2, 2], tensorMap, { name, stage, ...extra })

function protobufFile(layouts: ParamLayout[], merged = false): string {
  const path = join(tempDir(), 'strategy.ckpt')
  writeFileSync(path, encodeStrategyProtobuf(strategyOf(layouts, { merged })))
  return path
}

const json = (items: string) =>
  `{"current_stage":1,"parallel_layout_item":{${items}},"parallel_strategy_item":{}}`

describe('a parameter listed twice in one pipeline stage', () => {
  it('with different layouts is refused, naming both (protobuf)', async () => {
    const path = protobufFile([layout('w', 0, [-1, 0]), layout('b', 0, [0]), layout('w', 0, [0, -1])])
    await expect(readStrategyFile(path)).rejects.toMatchObject({
      code: 'INVALID_STRATEGY',
      file: path,
      param: 'w',
      message: `${path} lists parameter w twice in pipeline stage 0, with different layouts: device matrix [2, 2], tensor map [-1, 0]; and device matrix [2, 2], tensor map [0, -1]. MindSpore would silently use the second; Shardscope cannot know which one the checkpoint was saved with.`
    })
  })

  it('differing only in optimizer sharding is refused too, and the message shows the difference', async () => {
    const path = protobufFile(
      [layout('w', 1, [-1, 0], { optShardSize: 2, optShardStep: 2 }), layout('w', 1, [-1, 0])],
      true
    )
    await expect(readStrategyFile(path)).rejects.toThrowError(
      /parameter w twice in pipeline stage 1, with different layouts: device matrix \[2, 2\], tensor map \[-1, 0\], optimizer shard size 2 step 2; and device matrix \[2, 2\], tensor map \[-1, 0\]\./
    )
  })

  it('with identical layouts is read as one layout (they cannot disagree about anything)', async () => {
    const set = await readStrategyFile(
      protobufFile([layout('w', 0, [-1, 0]), layout('b', 0, [0]), layout('w', 0, [-1, 0])])
    )
    expect(set.layouts.map((l) => [l.name, l.tensorMap])).toEqual([
      ['w', [-1, 0]],
      ['b', [0]]
    ])
  })

  it('in different stages (a tied embedding) is two layouts, as before', async () => {
    const set = await readStrategyFile(
      protobufFile([layout('emb', 0, [0, -1]), layout('emb', 1, [-1, 0])], true)
    )
    expect(set.layouts.map((l) => [l.stage, l.tensorMap])).toEqual([
      [0, [0, -1]],
      [1, [-1, 0]]
    ])
  })

  it('as a repeated JSON key, which JSON.parse would resolve silently, is refused naming both', () => {
    expect(() =>
      parseStrategyJson(
        json(
          '"w":{"dev_matrix":[2],"tensor_map":[0]},"b":{"dev_matrix":[2],"tensor_map":[-1]},"w":{"dev_matrix":[2],"tensor_map":[-1]}'
        ),
        'x.json'
      )
    ).toThrowError(
      'x.json lists parameter w twice in pipeline stage 0, with different layouts: device matrix [2], tensor map [0]; and device matrix [2], tensor map [-1].'
    )
    // Merged names that differ in spelling but not in meaning ("0-w", "00-w") are the same parameter too.
    expect(() =>
      parseStrategyJson(
        json('"0-w":{"dev_matrix":[2],"tensor_map":[0]},"00-w":{"dev_matrix":[2],"tensor_map":[-1]}'),
        'm.json'
      )
    ).toThrowError(/m\.json lists parameter w twice in pipeline stage 0/)
  })

  it('as a repeated JSON key with identical layouts is read once; names keep their text order', () => {
    const set = parseStrategyJson(
      json(
        '"w":{"dev_matrix":[2],"tensor_map":[0]},"7":{"dev_matrix":[2],"tensor_map":[-1]},"w":{"tensor_map":[0],"dev_matrix":[2]}'
      ),
      'x.json'
    )
    expect(set.layouts.map((l) => [l.name, l.tensorMap])).toEqual([
      ['w', [0]],
      ['7', [-1]]
    ])
  })
})
