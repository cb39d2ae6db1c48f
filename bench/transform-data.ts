import { join } from 'node:path'
import { CkptWriter } from '../src-main/engine/formats/ckpt/ckpt-writer'
import { writeStrategyFile } from '../src-main/engine/formats/strategy/strategy-file'
import { AtomicFileSink } from '../src-main/engine/io/byte-sink'
import type { StrategySet } from '../src-main/engine/model/strategy-set'
import { syntheticStrategy } from '../test/helpers/synthetic'

/** One parameter of the synthetic model: a 7B-like layer's shapes, with source and destination maps. */
export interface BenchParam {
  name: string
  dtype: 'BFloat16' | 'Float32'
  shape: number[]
  /** Tensor map on the source device matrix [2,4]: every parameter uses both axes, so no source byte is redundant. */
  source: number[]
  /** Tensor map on the destination device matrix [4]. */
  destination: number[]
}

const H = 4096
const FFN = 11008

/** Layers of a 7B-style decoder until the total reaches `targetBytes`: bf16 weights, fp32 Adam moments. */
export function benchModel(targetBytes: number): BenchParam[] {
  const params: BenchParam[] = []
  let total = 0
  const add = (p: BenchParam) => {
    params.push(p)
    total += p.shape.reduce((a, b) => a * b, 1) * (p.dtype === 'BFloat16' ? 2 : 4)
  }
  for (let layer = 0; total < targetBytes; layer++) {
    const prefix = `model.layers.${layer}`
    // Column-parallel weights split rows 8 ways on [2,4]; row-parallel ones split rows by dp and columns by mp.
    for (const name of ['wq', 'wk', 'wv'])
      add({
        name: `${prefix}.attention.${name}.weight`,
        dtype: 'BFloat16',
        shape: [H, H],
        source: [1, 0],
        destination: [0, -1]
      })
    add({
      name: `${prefix}.attention.wo.weight`,
      dtype: 'BFloat16',
      shape: [H, H],
      source: [1, 0],
      destination: [-1, 0]
    })
    add({
      name: `${prefix}.feed_forward.w1.weight`,
      dtype: 'BFloat16',
      shape: [FFN, H],
      source: [0, 1],
      destination: [0, -1]
    })
    add({
      name: `${prefix}.feed_forward.w2.weight`,
      dtype: 'BFloat16',
      shape: [H, FFN],
      source: [1, 0],
      destination: [-1, 0]
    })
    add({
      name: `${prefix}.attention_norm.weight`,
      dtype: 'Float32',
      shape: [H],
      source: [0],
      destination: [-1]
    })
    if (total >= targetBytes) break
    add({
      name: `adam_m.${prefix}.attention.wq.weight`,
      dtype: 'Float32',
      shape: [H, H],
      source: [1, 0],
      destination: [0, -1]
    })
    add({
      name: `adam_m.${prefix}.feed_forward.w2.weight`,
      dtype: 'Float32',
      shape: [H, FFN],
      source: [0, 1],
      destination: [-1, 0]
    })
  }
  return params
}

export function benchStrategy(
  devMatrix: number[],
  params: BenchParam[],
  side: 'source' | 'destination'
): StrategySet {
  return syntheticStrategy(
    devMatrix,
    params.map((p) => ({ name: p.name, dtype: p.dtype, shape: p.shape, map: p[side] }))
  )
}

/** Writes the 8 source rank files and both strategies under `root`; returns the source bytes on disk. */
export async function writeBenchCheckpoint(root: string, params: BenchParam[]): Promise<void> {
  const devMatrix = [2, 4]
  const block = new Uint8Array(8 << 20)
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24
  for (let rank = 0; rank < 8; rank++) {
    const coords = [Math.floor(rank / 4), rank % 4]
    const writer = new CkptWriter(
      await AtomicFileSink.create(join(root, 'src', `rank_${rank}`, `checkpoint_${rank}.ckpt`), {
        durable: false
      })
    )
    for (const p of params) {
      const local = p.shape.map((s, i) =>
        p.source[i]! < 0 ? s : s / devMatrix[devMatrix.length - 1 - p.source[i]!]!
      )
      const bytes = local.reduce((a, b) => a * b, 1) * (p.dtype === 'BFloat16' ? 2 : 4)
      await writer.beginTensor(p.name, p.dtype, local, bytes)
      for (let done = 0; done < bytes; done += block.length) {
        const take = Math.min(block.length, bytes - done)
        block[0] = coords[0]! * 16 + coords[1]!
        await writer.writeData(block.subarray(0, take))
      }
    }
    await writer.writeTensor('global_step', 'Int32', [1], new Uint8Array([1, 0, 0, 0]))
    await writer.finish()
  }
  await writeStrategyFile(benchStrategy(devMatrix, params, 'source'), join(root, 'src_strategy.ckpt'))
  await writeStrategyFile(benchStrategy([4], params, 'destination'), join(root, 'dst_strategy.ckpt'))
}
