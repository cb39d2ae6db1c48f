import { join } from 'node:path'
import { CkptWriter } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import type { StrategySet } from '../../src-main/engine/model/strategy-set'

export interface SyntheticParam {
  name: string
  dtype: 'Float32' | 'BFloat16' | 'Float16' | 'Int32'
  shape: number[]
  /** Flat tensor map over the device matrix (-1 = not split). */
  map: number[]
}

const BYTES = { Float32: 4, BFloat16: 2, Float16: 2, Int32: 4 } as const

export function syntheticStrategy(devMatrix: number[], params: SyntheticParam[]): StrategySet {
  return {
    sources: ['<synthetic>'],
    format: 'protobuf',
    currentStage: 1,
    merged: false,
    operators: [{ nodeName: 'MatMul_synthetic', stage: 0, strategies: [] }],
    layouts: params.map((p) => ({
      name: p.name,
      stage: 0,
      devMatrix,
      tensorMap: p.map,
      tensorMapForm: 'flat',
      paramSplitShape: [],
      indicesOffset: [],
      field: 0,
      optShardStep: 0,
      optShardSize: 0
    }))
  }
}

export function localShape(devMatrix: number[], p: SyntheticParam): number[] {
  return p.shape.map((s, i) => (p.map[i]! < 0 ? s : s / devMatrix[devMatrix.length - 1 - p.map[i]!]!))
}

/**
 * Writes `rank_<r>/checkpoint_<r>.ckpt` for every rank of `devMatrix`, each holding its slice of every parameter
 * (filled with a byte pattern, not meaningful values) plus a global_step, and the strategy next to them.
 */
export async function writeSyntheticCheckpoint(
  root: string,
  devMatrix: number[],
  params: SyntheticParam[]
): Promise<{ folder: string; strategy: string }> {
  const folder = join(root, 'src')
  const devices = devMatrix.reduce((a, b) => a * b, 1)
  for (let rank = 0; rank < devices; rank++) {
    const writer = new CkptWriter(
      await AtomicFileSink.create(join(folder, `rank_${rank}`, `checkpoint_${rank}.ckpt`), { durable: false })
    )
    for (const p of params) {
      const shape = localShape(devMatrix, p)
      const bytes = shape.reduce((a, b) => a * b, 1) * BYTES[p.dtype]
      await writer.beginTensor(p.name, p.dtype, shape, bytes)
      const block = new Uint8Array(Math.min(bytes, 1 << 20)).fill((rank * 31 + p.name.length) & 0xff)
      for (let done = 0; done < bytes; done += block.length)
        await writer.writeData(block.subarray(0, Math.min(block.length, bytes - done)))
    }
    await writer.writeTensor('global_step', 'Int32', [1], new Uint8Array([7, 0, 0, 0]))
    await writer.finish()
  }
  const strategy = join(root, 'src_strategy.ckpt')
  await writeStrategyFile(syntheticStrategy(devMatrix, params), strategy)
  return { folder, strategy }
}

/**
 * A synthetic dp2 × mp4 checkpoint of `count` [rows, 1024] Float32 weights and the CLI arguments that convert it
 * to 8-way model parallelism on dimension 0: work that takes a measurable while, for kill and race tests.
 */
export async function writeSyntheticConversion(
  root: string,
  count: number,
  rows: number
): Promise<{ args: string[] }> {
  const params = Array.from({ length: count }, (_, i) => ({
    name: `layers.${i}.weight`,
    dtype: 'Float32' as const,
    shape: [rows, 1024],
    map: [1, 0]
  }))
  const { folder, strategy } = await writeSyntheticCheckpoint(root, [2, 4], params)
  const dst = syntheticStrategy(
    [8],
    params.map((p) => ({ ...p, map: [0, -1] }))
  )
  const dstStrategy = join(root, 'dst.ckpt')
  await writeStrategyFile(dst, dstStrategy)
  return { args: ['--src', folder, '--src-strategy', strategy, '--dst-strategy', dstStrategy, '--jobs', '1'] }
}
