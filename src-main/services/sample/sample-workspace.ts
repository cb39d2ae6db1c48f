import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SampleWorkspace } from '../../api/contract'
import { castFloatsJs } from '../../engine/exec/cast'
import { runTransform } from '../../engine/exec/run-transform'
import { CkptWriter, dimsForShape } from '../../engine/formats/ckpt/ckpt-writer'
import { writeStrategyFile } from '../../engine/formats/strategy/strategy-file'
import { elementCount } from '../../engine/formats/tensor-entry'
import { AtomicFileSink } from '../../engine/io/byte-sink'
import { deviceCount } from '../../engine/layout/device-matrix'
import { planTransform } from '../../engine/plan/plan-transform'
import { SAMPLE_MODEL, type SampleModel } from './sample-model'
import { sampleDestinationStrategy, sampleSourceStrategy, sampleStageStrategy } from './sample-strategies'

// Bump when the generator changes what it writes; the model description is hashed in as well.
const GENERATOR_VERSION = 1

/**
 * The built-in sample: its 8 rank checkpoints are produced by our own engine, splitting a full model (written
 * first) into the training layout, exactly as a user would split a full checkpoint. Built once into the cache
 * directory and reused; a half-built sample is never visible (it is built aside and renamed into place).
 */
export async function ensureSampleWorkspace(
  cacheRoot = defaultCacheRoot(),
  model: SampleModel = SAMPLE_MODEL
): Promise<SampleWorkspace> {
  const key = createHash('sha256')
    .update(JSON.stringify(model))
    .update(String(GENERATOR_VERSION))
    .digest('hex')
    .slice(0, 12)
  const dir = join(cacheRoot, `sample-${key}`)
  const workspace: SampleWorkspace = {
    title: model.title,
    description: model.description,
    folder: join(dir, 'checkpoint'),
    sourceStrategy: join(dir, 'strategy'),
    destinationStrategy: join(dir, 'destination', 'mp4_strategy.ckpt')
  }
  if (existsSync(join(dir, 'complete'))) return workspace
  mkdirSync(cacheRoot, { recursive: true })
  const staging = mkdtempSync(join(cacheRoot, 'building-'))
  try {
    await buildSample(staging, model)
    writeFileSync(join(staging, 'complete'), new Date().toISOString())
    rmSync(dir, { recursive: true, force: true })
    renameSync(staging, dir)
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(join(dir, 'complete'))) throw err
  }
  return workspace
}

function defaultCacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')
  try {
    mkdirSync(join(base, 'shardscope'), { recursive: true })
    return join(base, 'shardscope')
  } catch {
    return join(tmpdir(), 'shardscope-cache')
  }
}

async function buildSample(dir: string, model: SampleModel): Promise<void> {
  const fullFolder = join(dir, 'full')
  await writeFullModel(join(fullFolder, 'rank_0', 'model.ckpt'), model)
  const plan = await planTransform({
    sourceFolder: fullFolder,
    destinationFolder: join(dir, 'checkpoint'),
    destinationStrategy: sampleSourceStrategy(model),
    options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' }
  })
  const errors = plan.problems.filter((p) => p.severity === 'error')
  if (errors.length > 0) throw new Error(`the sample model does not fit its layout: ${errors[0]!.message}`)
  // The split runs on the engine's worker threads, like any conversion: never on the app's main thread.
  const { manifest } = await runTransform(plan)
  // The sample stands for a training run's own checkpoint, which carries no conversion manifest.
  rmSync(manifest, { force: true })
  for (let stage = 0; stage < model.source.stages; stage++) {
    const firstRank = stage * deviceCount(model.source.devMatrix)
    await writeStrategyFile(
      sampleStageStrategy(model, stage),
      join(dir, 'strategy', `ckpt_strategy_rank_${firstRank}.ckpt`)
    )
  }
  await writeStrategyFile(sampleDestinationStrategy(model), join(dir, 'destination', 'mp4_strategy.ckpt'))
  rmSync(fullFolder, { recursive: true, force: true })
}

async function writeFullModel(path: string, model: SampleModel): Promise<void> {
  const writer = new CkptWriter(await AtomicFileSink.create(path))
  for (const [index, param] of model.params.entries()) {
    const count = elementCount(param.shape)
    const values = new Float32Array(count)
    // Distinct, weight-like values: a misplaced slice in a conversion shows at once.
    for (let i = 0; i < count; i++) values[i] = Math.sin(index * 7.3 + i * 0.011) * 0.05 + (index % 5) * 1e-3
    const f32 = new Uint8Array(values.buffer)
    let data = f32
    if (param.dtype === 'BFloat16') {
      data = new Uint8Array(count * 2)
      castFloatsJs(f32, 'Float32', data, 'BFloat16', count)
    }
    await writer.writeTensor(param.name, param.dtype, dimsForShape(param.shape, param.dtype), data)
  }
  for (const extra of model.extras) {
    const data = new Uint8Array(4)
    if (extra.dtype === 'Int32') new DataView(data.buffer).setInt32(0, 1000, true)
    else new DataView(data.buffer).setFloat32(0, 3e-4, true)
    await writer.writeTensor(extra.name, extra.dtype, dimsForShape(extra.shape, extra.dtype), data)
  }
  await writer.finish()
}
