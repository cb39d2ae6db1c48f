import { describe, expect, it } from 'vitest'
import { indexCkpt } from '../../../src-main/engine/formats/ckpt/ckpt-index'
import { withLocalFile } from '../../../src-main/engine/io/local-file'
import { oracle, real } from '../../helpers/fixtures'

const index = (path: string) => withLocalFile(path, (source) => indexCkpt(source))
const summary = (path: string) =>
  index(path).then((i) => i.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteLength]))

describe('indexCkpt on real MindSpore files (fixtures/real/MANIFEST.md)', () => {
  it('reads the smallest two-record file', async () => {
    expect(await summary(real('golden-stick__test_sq_predict_simplenet_2stage_fp.ckpt'))).toEqual([
      ['linear.weight', 'Float32', [8, 4], 128],
      ['linear.bias', 'Float32', [8], 32]
    ])
  })

  it('reads the transposed variant', async () => {
    expect(await summary(real('golden-stick__test_sq_predict_simplenet_2stage_fp_notranb.ckpt'))).toEqual([
      ['linear.weight', 'Float32', [4, 8], 128],
      ['linear.bias', 'Float32', [8], 32]
    ])
  })

  it('reads four linear records', async () => {
    expect(await summary(real('golden-stick__test_linears_woq_predict_2stage_fp32.ckpt'))).toEqual([
      ['linear1.weight', 'Float32', [6, 5], 120],
      ['linear1.bias', 'Float32', [6], 24],
      ['linear2.weight', 'Float32', [5, 6], 120],
      ['linear2.bias', 'Float32', [5], 20]
    ])
  })

  it('places the router payload where Appendix B says it is', async () => {
    const i = await index(real('mindformers__golden_router.ckpt'))
    expect(i.tensors).toHaveLength(1)
    const t = i.tensors[0]!
    expect([t.name, t.dims, t.storedDtype]).toEqual(['gating.weight', [4, 16], 'Float32'])
    // 0a a2 02 | 0a 0d "gating.weight" | 12 90 02 | 08 04 08 10 | 12 07 "Float32" | 1a 80 02 <256 bytes>
    expect(t.chunks).toEqual([{ offset: 37, length: 256 }])
    expect(i.size).toBe(293)
    expect(i.crc).toBeUndefined()
  })

  it('reads 3-D MoE tensors', async () => {
    expect(await summary(real('mindformers__golden_moe.ckpt'))).toEqual([
      ['feed_forward.ffn.w1.weight', 'Float32', [4, 64, 16], 16384],
      ['feed_forward.ffn.w2.weight', 'Float32', [4, 16, 64], 16384],
      ['feed_forward.ffn.w3.weight', 'Float32', [4, 64, 16], 16384],
      ['feed_forward.router.dense.weight', 'Float32', [4, 16], 256]
    ])
  })

  it('reads the sequential MLP', async () => {
    const rows = await summary(real('mindformers__golden_sequential_mlp.ckpt'))
    expect(rows).toHaveLength(12)
    for (const [name, dtype, shape, bytes] of rows) {
      expect(dtype).toBe('Float32')
      expect(bytes).toBe(256)
      expect(shape).toEqual(String(name).includes('w2') ? [4, 16] : [16, 4])
    }
  })

  it('turns legacy dims=[0] scalars into 0-d tensors and keeps the stored dims', async () => {
    const i = await index(real('mindscience__example_net_10000.ckpt'))
    expect(i.tensors).toHaveLength(22)
    const lr = i.tensors.find((t) => t.name === 'optimizer.learning_rate')!
    expect([lr.dims, lr.shape, lr.dtype, lr.byteLength]).toEqual([[0], [], 'Float32', 4])
    const step = i.tensors.find((t) => t.name === 'optimizer.global_step')!
    expect([step.shape, step.dtype]).toEqual([[1], 'Int32'])
    expect(i.tensors.filter((t) => t.name.startsWith('optimizer.moment1.'))).toHaveLength(6)
  })

  it('reads the 2020 LeNet with Float64 scalars and Momentum states', async () => {
    const i = await index(real('mindarmour__checkpoint_lenet-10_1875.ckpt'))
    expect(i.tensors).toHaveLength(18)
    expect(i.tensors.find((t) => t.name === 'fc1.weight')!.shape).toEqual([120, 400])
    for (const name of ['learning_rate', 'momentum']) {
      const t = i.tensors.find((x) => x.name === name)!
      expect([t.dtype, t.dims, t.shape, t.byteLength]).toEqual(['Float64', [0], [], 8])
    }
    expect(i.tensors.filter((t) => t.name.startsWith('moments.'))).toHaveLength(8)
  })

  it('reads the 120-byte spectral conv file', async () => {
    expect(await summary(real('mindscience__spectralconv1d.ckpt'))).toEqual([
      ['_w_re', 'Float32', [2, 2, 2], 32],
      ['_w_im', 'Float32', [2, 2, 2], 32]
    ])
  })

  it('reads the oracle model with every dtype model.json lists', async () => {
    expect(await summary(oracle('model/full.ckpt'))).toEqual([
      ['embedding.word_embedding.embedding_table', 'Float32', [32, 16], 2048],
      ['layer0.attention.dense.weight', 'Float16', [16, 32], 1024],
      ['layer0.attention.dense.bias', 'Float32', [32], 128],
      ['layer0.mlp.mapping.weight', 'BFloat16', [16, 32], 1024],
      ['layer0.layernorm.gamma', 'Float32', [16], 64],
      ['layer0.counter', 'Int32', [32, 8], 1024],
      ['adam_m.layer0.mlp.mapping.weight', 'Float32', [16, 32], 2048],
      ['global_step', 'Int32', [1], 4],
      ['learning_rate', 'Float32', [], 4]
    ])
  })
})
