import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  readStrategyFile,
  readStrategyInput,
  writeStrategyFile
} from '../../../src-main/engine/formats/strategy/strategy-file'
import {
  formatStrategyJson,
  parseStrategyJson
} from '../../../src-main/engine/formats/strategy/strategy-json'
import {
  decodeStrategyProtobuf,
  encodeStrategyProtobuf
} from '../../../src-main/engine/formats/strategy/strategy-protobuf'
import { mindspore } from '../../../src-main/engine/formats/strategy/generated/node-strategy'
import { layoutsByName, stagesOf, type StrategySet } from '../../../src-main/engine/model/strategy-set'
import { ORACLE, oracle, real } from '../../helpers/fixtures'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

function mapCounts(set: StrategySet): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const l of set.layouts) {
    const key = JSON.stringify(l.tensorMap)
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

describe('real MindSpore strategy files (fixtures/real/MANIFEST.md)', () => {
  it('reads the merged 4-NPU pipeline strategy', async () => {
    const set = await readStrategyFile(real('mindformers__strategy_4_npus.ckpt'))
    expect([set.format, set.merged, set.currentStage, set.operators.length, set.layouts.length]).toEqual([
      'protobuf',
      true,
      1,
      34,
      148
    ])
    expect(stagesOf(set)).toEqual([0, 1])
    // MANIFEST.md says "74 per stage"; the file itself holds 72 `0-` and 76 `1-` items (148 in all, as it says).
    expect(set.layouts.filter((l) => l.stage === 0)).toHaveLength(72)
    expect(set.layouts.filter((l) => l.stage === 1)).toHaveLength(76)
    expect(set.layouts.every((l) => l.devMatrix.join() === '2')).toBe(true)
    expect(mapCounts(set)).toEqual({ '[0,-1]': 40, '[-1,0]': 8, '[0]': 32, '[-1]': 56, '[-1,-1]': 12 })
    expect(set.layouts.every((l) => l.field === 0 && l.optShardSize === 0 && l.optShardStep === 0)).toBe(true)
    const tied = layoutsByName(set).get('backbone.embedding.word_embedding.embedding_table')!
    expect(tied.map((l) => l.stage)).toEqual([0, 1])
    expect(set.layouts.some((l) => l.name.startsWith('adam_m.') && l.stage === 0)).toBe(true)
    expect(set.layouts.some((l) => l.name.startsWith('accu_grads.'))).toBe(true)
    const op = set.operators.find((o) => o.nodeName === 'MatMul_backbone.blocks.0.attention.dense1.weight')!
    expect(op.strategies).toEqual([
      [1, 1],
      [2, 1]
    ])
  })

  it('reads the merged 8-NPU strategy with a [2,2] device matrix per stage', async () => {
    const set = await readStrategyFile(real('mindformers__strategy_8_npus.ckpt'))
    expect([set.merged, set.operators.length, set.layouts.length]).toEqual([true, 34, 148])
    expect(set.layouts.every((l) => l.devMatrix.join() === '2,2')).toBe(true)
    expect(Object.keys(mapCounts(set)).sort()).toEqual(['[-1,-1]', '[-1,0]', '[-1]', '[0,-1]', '[0]'])
    const layout = set.layouts.find(
      (l) => l.stage === 1 && l.name === 'backbone.blocks.1.output.mapping.weight'
    )!
    expect(layout.tensorMap).toEqual([-1, 0])
    expect(set.operators.some((o) => o.nodeName.startsWith('Receive_'))).toBe(true)
  })

  it('reads the unmerged Llama2-13B strategy', async () => {
    const set = await readStrategyFile(real('golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt'))
    expect([set.merged, set.currentStage, set.operators.length, set.layouts.length]).toEqual([
      false,
      1,
      363,
      363
    ])
    expect(stagesOf(set)).toEqual([0])
    expect(mapCounts(set)).toEqual({ '[0,-1]': 200, '[-1,0]': 80, '[-1]': 81, '[-1,-1]': 2 })
    for (const l of set.layouts) {
      if (/\.(wq|wk|wv|w1|w3)\.weight$/.test(l.name)) expect(l.tensorMap).toEqual([0, -1])
      if (/\.(wo|w2)\.weight$/.test(l.name)) expect(l.tensorMap).toEqual([-1, 0])
    }
    expect(
      set.operators.find((o) => o.nodeName === 'MatMul_model.layers.28.attention.wo.weight')!.strategies
    ).toEqual([
      [1, 2],
      [1, 2]
    ])
  })

  it.each([
    'mindformers__strategy_4_npus.ckpt',
    'mindformers__strategy_8_npus.ckpt',
    'golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt'
  ])('re-encodes %s byte for byte', (name) => {
    const bytes = readFileSync(real(name))
    expect(Buffer.from(encodeStrategyProtobuf(decodeStrategyProtobuf(bytes, name))).equals(bytes)).toBe(true)
  })
})

interface DecodedStrategy {
  current_stage: number
  parallel_strategy_item: { node_name: string; stage: number; parallel_strategy: number[][] }[]
  parallel_layout_item: {
    param_name: string
    dev_matrix: number[][]
    tensor_map: number[][]
    param_split_shape: number[][]
    indices_offset: number[][]
    field: number
    opt_weight_shard_step: number
    opt_weight_shard_size: number
  }[]
}

const cases = JSON.parse(readFileSync(join(ORACLE, 'cases.json'), 'utf8')).cases as {
  name: string
  strategies_decoded: Record<string, DecodedStrategy>
}[]
const strategyFiles = cases.flatMap((c) => Object.entries(c.strategies_decoded))

describe('oracle strategy files agree with the decoding in cases.json', () => {
  it.each(strategyFiles.map(([file, decoded]) => [file, decoded] as const))('%s', async (file, decoded) => {
    const path = oracle(file)
    const set = await readStrategyFile(path)
    expect(set.currentStage).toBe(decoded.current_stage)
    expect(set.operators.map((o) => [o.nodeName, o.stage, o.strategies])).toEqual(
      decoded.parallel_strategy_item.map((i) => [i.node_name, i.stage, i.parallel_strategy])
    )
    expect(
      set.layouts.map((l) => [
        set.merged ? `${l.stage}-${l.name}` : l.name,
        [l.devMatrix],
        [l.tensorMap],
        [l.paramSplitShape],
        [l.indicesOffset],
        l.field,
        l.optShardStep,
        l.optShardSize
      ])
    ).toEqual(
      decoded.parallel_layout_item.map((i) => [
        i.param_name,
        i.dev_matrix,
        i.tensor_map,
        i.param_split_shape,
        i.indices_offset,
        i.field,
        i.opt_weight_shard_step,
        i.opt_weight_shard_size
      ])
    )
    expect(Buffer.from(encodeStrategyProtobuf(set)).equals(readFileSync(path))).toBe(true)
  })

  it('takes the stage of a per-stage file from its operator items', async () => {
    const stage1 = await readStrategyFile(
      oracle('pipeline2_to_mp4/src_strategy_stages/src_strategy_stage1.ckpt')
    )
    expect([stage1.merged, stagesOf(stage1)]).toEqual([false, [1]])
  })
})

describe('merging per-stage strategies (merge_pipeline_strategys)', () => {
  it("reproduces MindSpore's merged file byte for byte from a directory", async () => {
    const merged = await readStrategyInput(oracle('pipeline2_to_mp4/src_strategy_stages'))
    expect(merged.merged).toBe(true)
    expect(stagesOf(merged)).toEqual([0, 1])
    expect(
      Buffer.from(encodeStrategyProtobuf(merged)).equals(
        readFileSync(oracle('pipeline2_to_mp4/src_strategy_merged.ckpt'))
      )
    ).toBe(true)
  })

  it('refuses a directory that mixes forms, misses a stage, or holds no strategies', async () => {
    const dir = tempDir()
    const stage1 = await readStrategyFile(
      oracle('pipeline2_to_mp4/src_strategy_stages/src_strategy_stage1.ckpt')
    )
    await writeStrategyFile(stage1, join(dir, 'stage1.ckpt'))
    await expect(readStrategyInput(dir)).rejects.toMatchObject({
      code: 'INVALID_STRATEGY',
      message: expect.stringContaining('lacks the strategy of pipeline stage 0')
    })
    await writeStrategyFile(stage1, join(dir, 'stage1.json'))
    await expect(readStrategyInput(dir)).rejects.toMatchObject({
      message: expect.stringContaining('mixes .ckpt and .json')
    })
    await expect(readStrategyInput(tempDir())).rejects.toMatchObject({
      message: expect.stringContaining('holds no strategy files')
    })
  })
})

describe('JSON strategy files (spec §3.3)', () => {
  it('writes the C++ form (compact, sorted keys) and reads it back identically', async () => {
    const set = await readStrategyFile(oracle('optshard_to_noopt/src_strategy.ckpt'))
    const text = formatStrategyJson(set)
    expect(
      text.startsWith(
        '{"current_stage":0,"parallel_layout_item":{"adam_m.layer0.mlp.mapping.weight":{"dev_matrix":[4,2],"field":0,'
      )
    ).toBe(true)
    const back = parseStrategyJson(text, 'x.json')
    expect(formatStrategyJson(back)).toBe(text)
    const byName = (s: StrategySet) => [...s.layouts].sort((a, b) => a.name.localeCompare(b.name))
    expect(byName(back)).toEqual(byName(set).map((l) => ({ ...l })))
  })

  it('writes a merged file in Python json.dump form and keeps stage prefixes', async () => {
    const merged = await readStrategyInput(oracle('pipeline2_to_mp4/src_strategy_stages'))
    const dir = tempDir()
    await writeStrategyFile(merged, join(dir, 'merged.json'))
    const text = readFileSync(join(dir, 'merged.json'), 'utf8')
    expect(
      text.startsWith(
        '{"current_stage": 1, "parallel_strategy_item": {"Default/network-Net/stage0/MatMul-op0": {"parallel_strategy": [[2, 1], [1, 2]], "stage": 0}'
      )
    ).toBe(true)
    expect(text).toContain(
      '"1-layer0.layernorm.gamma": {"dev_matrix": [2, 2], "field": 0, "opt_weight_shard_size": 2, "opt_weight_shard_step": 1, "tensor_map": [-1]}'
    )
    const back = await readStrategyFile(join(dir, 'merged.json'))
    expect(back.layouts).toEqual(merged.layouts)
    expect(back.format).toBe('json')
  })

  it('reads tensor_shape and manual split fields', () => {
    const set = parseStrategyJson(
      '{"current_stage":1,"parallel_layout_item":{"emb":{"dev_matrix":[2],"field":0,"indices_offset":[0,300],"opt_weight_shard_size":0,"opt_weight_shard_step":0,"param_split_shape":[300,700],"tensor_map":[0,-1],"tensor_shape":[1000,16]}},"parallel_strategy_item":{}}',
      'emb.json'
    )
    expect(set.layouts[0]).toMatchObject({
      paramSplitShape: [300, 700],
      indicesOffset: [0, 300],
      tensorShape: [1000, 16]
    })
  })

  it.each([
    [
      '{"parallel_layout_item":{"w":{"dev_matrix":"2,4","tensor_map":[1,-1]}}}',
      'bad.json: parameter w: dev_matrix must be a list of integers, got "2,4".'
    ],
    [
      '{"parallel_layout_item":{"w":{"dev_matrix":[2],"tensor_map":[1.5]}}}',
      'bad.json: parameter w: tensor_map must be a list of integers (or of integer lists), got [1.5].'
    ],
    [
      '{"parallel_layout_item":{"w":{"dev_matrix":[2],"tensor_map":[0],"field":"0"}}}',
      'bad.json: parameter w: field must be an integer, got "0".'
    ],
    ['{"parallel_layout_item":{"w":{"tensor_map":[0]}}}', 'bad.json: parameter w has no dev_matrix.'],
    [
      '{"parallel_layout_item":[1,2]}',
      'bad.json: parallel_layout_item must be an object keyed by parameter name, got [1,2].'
    ],
    [
      '{"current_stage":"one","parallel_layout_item":{}}',
      'bad.json: current_stage must be an integer, got "one".'
    ],
    ['[1,2,3]', 'bad.json must hold a JSON object.'],
    ['{"parallel_layout_item": {', expect.stringMatching(/^bad\.json is not valid JSON/)]
  ])('rejects wrong types with one sentence: %s', (text, message) => {
    expect(() => parseStrategyJson(text, 'bad.json')).toThrowError(expect.objectContaining({ message }))
  })
})

describe('protobuf details', () => {
  it('decodes files missing fields that older MindSpore did not write, as zeros', () => {
    // A pre-0.7 style layout: no field, no opt_weight_shard_* (protobufjs omits unset optional fields).
    const bytes = mindspore.straspb.ParallelStrategyMap.encode({
      currentStage: 1,
      parallelLayoutItem: [
        { paramName: 'w', parallelLayouts: { devMatrix: [{ dim: [2] }], tensorMap: [{ dim: [0] }] } }
      ]
    }).finish()
    // current_stage 1 | layout { "w" | layouts { dev_matrix {2} | tensor_map {0} } }: no field 5, 6 or 7.
    expect(Buffer.from(bytes).toString('hex')).toBe('08011a0d0a01771208' + '0a020802' + '12020800')
    const set = decodeStrategyProtobuf(bytes, 'old.ckpt')
    expect(set.layouts[0]).toMatchObject({
      name: 'w',
      devMatrix: [2],
      tensorMap: [0],
      field: 0,
      optShardSize: 0,
      optShardStep: 0
    })
  })

  it('writes and reads nested (multi-axis) tensor maps, with the empty marker for 1-D tensors', () => {
    const set: StrategySet = {
      sources: ['n.ckpt'],
      format: 'protobuf',
      currentStage: 1,
      merged: false,
      operators: [{ nodeName: 'MatMul_w', stage: 0, strategies: [[4, 1]] }],
      layouts: [
        {
          name: 'w',
          stage: 0,
          devMatrix: [2, 2, 2],
          tensorMap: [[2, 1], -1],
          tensorMapForm: 'nested',
          paramSplitShape: [],
          indicesOffset: [],
          field: 0,
          optShardStep: 0,
          optShardSize: 0
        },
        {
          name: 'b',
          stage: 0,
          devMatrix: [2, 2, 2],
          tensorMap: [[2, 1]],
          tensorMapForm: 'nested',
          paramSplitShape: [],
          indicesOffset: [],
          field: 0,
          optShardStep: 0,
          optShardSize: 0
        }
      ]
    }
    const bytes = encodeStrategyProtobuf(set)
    const back = decodeStrategyProtobuf(bytes, 'n.ckpt')
    expect(back.layouts.map((l) => [l.name, l.tensorMap, l.tensorMapForm])).toEqual([
      ['w', [[2, 1], -1], 'nested'],
      ['b', [[2, 1]], 'nested']
    ])
    // int32 -1 is the 10-byte varint ff ff ff ff ff ff ff ff ff 01, as MindSpore writes it.
    expect(Buffer.from(bytes).includes(Buffer.from('08ffffffffffffffffff01', 'hex'))).toBe(true)
    expect(Buffer.from(encodeStrategyProtobuf(back)).equals(Buffer.from(bytes))).toBe(true)
  })

  it('names the file when the protobuf is damaged or the file is empty', async () => {
    expect(() =>
      decodeStrategyProtobuf(Buffer.from('0801 1aff'.replace(' ', ''), 'hex'), 'cut.ckpt')
    ).toThrowError(
      expect.objectContaining({
        code: 'CORRUPT',
        message: expect.stringContaining('cut.ckpt is not a readable strategy file')
      })
    )
    const dir = tempDir()
    const empty = join(dir, 'empty.ckpt')
    writeFileSync(empty, '')
    await expect(readStrategyFile(empty)).rejects.toMatchObject({ code: 'EMPTY_FILE' })
  })
})
