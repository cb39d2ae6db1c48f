import { cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { executeRank } from '../../src-main/engine/exec/execute-rank'
import { jsKernels } from '../../src-main/engine/exec/kernels-select'
import { runTransform } from '../../src-main/engine/exec/run-transform'
import { CkptWriter } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { readStrategyFile, writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import { planTransform } from '../../src-main/engine/plan/plan-transform'
import { readAllTensors } from '../helpers/ckpt'
import { cli } from '../helpers/cli'
import { oracle } from '../helpers/fixtures'
import { hookedSink } from '../helpers/sink-hook'
import { useTempDirs } from '../helpers/temp-dir'
import { writeSyntheticCheckpoint, type SyntheticParam } from '../helpers/synthetic'

const tempDir = useTempDirs()
const CASE = 'mp2x4_to_mp4'
const strategies = [
  '--src-strategy',
  oracle(CASE, 'src_strategy.ckpt'),
  '--dst-strategy',
  oracle(CASE, 'dst_strategy.ckpt')
]

/** A private copy of the oracle case's source folder that a test may damage. */
function sourceCopy(): string {
  const dir = join(tempDir(), 'src')
  cpSync(oracle(CASE, 'src'), dir, { recursive: true })
  return dir
}

async function rewriteRank(
  folder: string,
  rank: number,
  edit: (
    name: string,
    dtype: string,
    dims: number[],
    data: Uint8Array
  ) => [string, number[], Uint8Array] | undefined
) {
  const path = join(folder, `rank_${rank}`, `checkpoint_${rank}.ckpt`)
  const tensors = await readAllTensors(path)
  const writer = new CkptWriter(await AtomicFileSink.create(path))
  for (const t of tensors) {
    const edited = edit(t.name, t.dtype, t.dims, t.data)
    if (edited) await writer.writeTensor(t.name, edited[0], edited[1], edited[2])
  }
  await writer.finish()
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

async function transformFails(src: string, ...extra: string[]) {
  const out = tempDir()
  const result = await cli('transform', '--src', src, '--dst', out, ...strategies, ...extra)
  expect(result.code).toBe(2)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  expect(filesUnder(out)).toEqual([]) // nothing written before validation passes
  return result.stderr
}

describe('validation before any byte moves (all problems at once)', () => {
  it('missing source rank', async () => {
    const src = sourceCopy()
    rmSync(join(src, 'rank_5'), { recursive: true })
    const stderr = await transformFails(src)
    expect(stderr).toContain(
      `error: Source rank 5 is needed for destination rank 1, but ${src} has no rank_5/ checkpoint.`
    )
  })

  it('a rank folder without its file', async () => {
    const src = sourceCopy()
    rmSync(join(src, 'rank_2', 'checkpoint_2.ckpt'))
    const stderr = await transformFails(src)
    expect(stderr).toContain('rank_2/ holds no .ckpt or .safetensors file.')
    expect(stderr).toContain('Source rank 2 is needed for destination rank 2')
  })

  it('shape disagreement between ranks, and a dtype disagreement, reported together', async () => {
    const src = sourceCopy()
    await rewriteRank(src, 3, (name, dtype, dims, data) =>
      name === 'layer0.attention.dense.bias'
        ? [dtype, [dims[0]! / 2], data.subarray(0, data.length / 2)]
        : name === 'layer0.counter'
          ? ['Float32', dims, data]
          : [dtype, dims, data]
    )
    const stderr = await transformFails(src)
    expect(stderr).toContain(
      'error: Source rank 3 stores layer0.attention.dense.bias as Float32 [4] but rank 0 stores it as Float32 [8]; ranks of one stage must agree.'
    )
    expect(stderr).toContain(
      'error: Source rank 3 stores layer0.counter as Float32 [16, 2] but rank 0 stores it as Int32 [16, 2]'
    )
  })

  it('a tensor whose rank (number of dimensions) does not fit the strategy', async () => {
    const src = sourceCopy()
    for (let r = 0; r < 8; r++)
      await rewriteRank(src, r, (name, dtype, dims, data) =>
        name === 'layer0.layernorm.gamma' ? [dtype, [dims[0]!, 1], data] : [dtype, dims, data]
      )
    const stderr = await transformFails(src)
    expect(stderr).toMatch(
      /parameter layer0\.layernorm\.gamma has layout device matrix \[2, 4\], tensor map \[-1\]: the tensor map has 1 entries but the tensor has 2 dimensions/
    )
  })

  it('a parameter one rank lacks while the others hold it', async () => {
    const src = sourceCopy()
    await rewriteRank(src, 6, (name, dtype, dims, data) =>
      name === 'adam_m.layer0.mlp.mapping.weight' ? undefined : [dtype, dims, data]
    )
    const stderr = await transformFails(src)
    expect(stderr).toContain(
      'lacks parameter adam_m.layer0.mlp.mapping.weight, which ranks 0, 1, 2, 3, 4, 5, 7 of pipeline stage 0 hold.'
    )
  })

  it('parameters the strategy lists but no checkpoint holds are skipped with a warning', async () => {
    const src = sourceCopy()
    for (let r = 0; r < 8; r++)
      await rewriteRank(src, r, (name, dtype, dims, data) =>
        name.startsWith('adam_m.') ? undefined : [dtype, dims, data]
      )
    const out = tempDir()
    const result = await cli('transform', '--src', src, '--dst', out, ...strategies)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(
      'lists 1 parameter that no source checkpoint holds (adam_m.layer0.mlp.mapping.weight); it is skipped.'
    )
    expect(result.stderr).toContain('the output will not contain it')
  })

  it('a destination split the shape cannot take', async () => {
    const dst = await readStrategyFile(oracle(CASE, 'dst_strategy.ckpt'))
    dst.layouts.find((l) => l.name === 'layer0.counter')!.devMatrix = [4]
    dst.layouts.forEach((l) => (l.devMatrix = [3]))
    const path = join(tempDir(), 'dst3.ckpt')
    await writeStrategyFile(dst, path)
    const out = tempDir()
    const result = await cli(
      'transform',
      '--src',
      oracle(CASE, 'src'),
      '--dst',
      out,
      '--src-strategy',
      oracle(CASE, 'src_strategy.ckpt'),
      '--dst-strategy',
      path
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'Parameter embedding.word_embedding.embedding_table of shape [32, 16] cannot be split by device matrix [3], tensor map [0, -1]: dimension 0 (size 32) is not divisible into 3 parts.'
    )
    expect((result.stderr.match(/^error: /gm) ?? []).length).toBeGreaterThan(3)
  })

  it('duplicate and out-of-range destination ranks', async () => {
    const stderr = await transformFails(oracle(CASE, 'src'), '--rank', '1', '--rank', '1', '--rank', '9')
    expect(stderr).toContain('error: Destination rank 1 is given more than once.')
    expect(stderr).toContain('error: Destination rank 9 does not exist: the destination has 4 ranks, 0 to 3.')
  })

  it('a pipeline strategy missing a stage', async () => {
    const dir = tempDir()
    cpSync(
      oracle('pipeline2_to_mp4', 'src_strategy_stages', 'src_strategy_stage1.ckpt'),
      join(dir, 'stage1.ckpt')
    )
    const result = await cli(
      'transform',
      '--src',
      oracle('pipeline2_to_mp4', 'src'),
      '--dst',
      tempDir(),
      '--src-strategy',
      join(dir, 'stage1.ckpt')
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /holds pipeline stage 1 but not stage 0; pass the folder holding every stage’s strategy file/
    )
  })

  it('bad options', async () => {
    expect(
      (await cli('transform', '--src', oracle(CASE, 'src'), '--dst', tempDir(), '--format', 'npz')).stderr
    ).toContain('--format must be ckpt or safetensors, got "npz".')
    expect(
      (await cli('transform', '--src', oracle(CASE, 'src'), '--dst', tempDir(), '--dtype', 'int8')).stderr
    ).toContain('--dtype must be a floating-point type')
    expect(
      (await cli('transform', '--src', oracle(CASE, 'src'), '--dst', tempDir(), '--exclude', '(')).stderr
    ).toContain('--exclude is not a valid regular expression')
    expect((await cli('transform', '--src', oracle(CASE, 'src'))).stderr).toContain(
      'shardscope transform: --dst <output folder> is required.'
    )
    expect(
      (await cli('transform', '--src', oracle(CASE, 'src'), '--dst', tempDir(), '--jobs', 'many')).stderr
    ).toContain('--jobs must be a non-negative integer')
  })
})

const SYNTHETIC: SyntheticParam[] = [
  { name: 'w1', dtype: 'Float32', shape: [512, 1024], map: [1, 0] },
  { name: 'w2', dtype: 'BFloat16', shape: [1024, 512], map: [0, -1] },
  { name: 'w3', dtype: 'Float32', shape: [2048, 256], map: [-1, 0] }
]

async function syntheticPlan(extra: { ranks?: number[] } = {}) {
  const root = tempDir()
  const { folder, strategy } = await writeSyntheticCheckpoint(root, [2, 4], SYNTHETIC)
  const dstStrategy = join(root, 'dst.ckpt')
  const dst = await readStrategyFile(strategy)
  for (const l of dst.layouts) {
    l.devMatrix = [4]
    l.tensorMap = l.tensorMap.map((m) => (m === 1 ? -1 : m))
  }
  await writeStrategyFile(dst, dstStrategy)
  const out = join(root, 'out')
  const plan = await planTransform({
    sourceFolder: folder,
    destinationFolder: out,
    sourceStrategy: await readStrategyFile(strategy),
    destinationStrategy: await readStrategyFile(dstStrategy),
    options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' },
    ...extra
  })
  expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([])
  return { plan, out, folder, strategy, dstStrategy }
}

describe('failures during the run leave no output that looks complete', () => {
  it('a source file truncated after planning', async () => {
    const { plan, out } = await syntheticPlan()
    const victim = plan.ranks[1]!.sources[0]!.path
    truncateSync(victim, Math.floor(readFileSync(victim).length / 2))
    await expect(runTransform(plan, { jobs: 2 })).rejects.toMatchObject({
      code: 'SOURCE_CHANGED',
      message: expect.stringContaining(`Source ${victim} (rank ${plan.ranks[1]!.sources[0]!.rank}) changed`)
    })
    expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const manifest = JSON.parse(readFileSync(join(out, 'shardscope-manifest.json'), 'utf8'))
    for (const file of filesUnder(out).filter((f) => f.endsWith('.ckpt')))
      expect(manifest.outputs[file]).toBeDefined()
    expect(existsSync(join(out, plan.ranks[1]!.output))).toBe(false)
  })

  it('a full disk (write error injected at the sink)', async () => {
    const { plan, out } = await syntheticPlan()
    const rank = plan.ranks[0]!
    const fullDisk = hookedSink((written, data) => {
      if (written + data.length > 1_000_000)
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    })
    await expect(
      executeRank(
        { plan: rank, destinationFolder: out, options: plan.options },
        { kernels: jsKernels, onProgress: () => undefined, cancelled: () => false, createSink: fullDisk }
      )
    ).rejects.toThrow(/no space left on device/)
    expect(filesUnder(out)).toEqual([])
    expect(existsSync(join(out, rank.output))).toBe(false)
  })

  it('cancellation stops between slabs, keeps finished outputs and removes partial ones', async () => {
    const { plan, out } = await syntheticPlan()
    const controller = new AbortController()
    const run = runTransform(plan, {
      jobs: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.ranksDone >= 1) controller.abort()
      }
    })
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' })
    const files = filesUnder(out)
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([])
    const manifest = JSON.parse(readFileSync(join(out, 'shardscope-manifest.json'), 'utf8'))
    const outputs = files.filter((f) => f.endsWith('.ckpt'))
    expect(outputs.length).toBeGreaterThanOrEqual(1)
    expect(outputs.length).toBeLessThan(4)
    expect(Object.keys(manifest.outputs).sort()).toEqual(outputs)
    expect(manifest.run.state).toBe('cancelled')
    // verify says how far the conversion got, in the folder it left.
    const verified = await cli('verify', out)
    expect(verified.code).toBe(0)
    expect(verified.stdout).toContain(
      `verified; ${outputs.length} of 4 destination ranks are done, the last run was cancelled before writing`
    )
    // The rerun resumes: finished outputs are verified and skipped, the rest written.
    const rerun = await runTransform(plan, { jobs: 2 })
    expect(rerun.outputs.filter((o) => o.skipped).map((o) => o.output)).toEqual(outputs)
    expect(rerun.outputs).toHaveLength(4)
  })

  it('a run cancelled before any output: verify fails, saying there is nothing to verify', async () => {
    const { plan, out } = await syntheticPlan()
    const controller = new AbortController()
    controller.abort()
    await expect(runTransform(plan, { jobs: 1, signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED'
    })
    const verified = await cli('verify', out)
    expect(verified.code).toBe(1)
    expect(verified.stderr).toBe(
      `shardscope verify: nothing to verify: the manifest of ${out} lists no finished output; 0 of 4 destination ranks are done, the last run was cancelled before writing rank_0/checkpoint_0.ckpt, rank_1/checkpoint_1.ckpt, rank_2/checkpoint_2.ckpt, rank_3/checkpoint_3.ckpt; run the same transform again to resume.\n`
    )
    expect(JSON.parse((await cli('verify', out, '--json')).stdout)).toMatchObject({
      verified: false,
      outputs: [],
      destinationRanks: 4,
      lastRun: 'cancelled'
    })
  })

  it('the CLI exits 130 on cancellation', async () => {
    const { out, folder, strategy, dstStrategy } = await syntheticPlan()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const { bufferIO } = await import('../../src-main/cli/io')
    const { runCli } = await import('../../src-main/cli/run')
    const io = bufferIO(controller.signal)
    const code = await runCli(
      [
        'transform',
        '--src',
        folder,
        '--dst',
        out,
        '--src-strategy',
        strategy,
        '--dst-strategy',
        dstStrategy,
        '--jobs',
        '1'
      ],
      io
    )
    expect(code).toBe(130)
    expect(io.stderr).toMatch(
      /The conversion was cancelled with [0-3] of 4 outputs complete; finished outputs are kept and a re-run resumes from them\.\n/
    )
    expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('a resumed run redoes an output that was tampered with', async () => {
    const { plan, out } = await syntheticPlan()
    await runTransform(plan, { jobs: 2 })
    const victim = join(out, plan.ranks[2]!.output)
    const bytes = readFileSync(victim)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1
    writeFileSync(victim, bytes)
    expect((await cli('verify', out)).code).toBe(1)
    const rerun = await runTransform(plan, { jobs: 2 })
    expect(rerun.outputs.map((o) => o.skipped)).toEqual([true, true, false, true])
    const verified = await cli('verify', out)
    expect([verified.code, verified.stdout.trim().split('\n').pop()]).toEqual([0, 'All 4 outputs verified.'])
  })
})
