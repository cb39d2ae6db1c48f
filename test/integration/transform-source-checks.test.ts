import { existsSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { executeRank } from '../../src-main/engine/exec/execute-rank'
import { jsKernels } from '../../src-main/engine/exec/kernels-select'
import { runTransform } from '../../src-main/engine/exec/run-transform'
import { readStrategyFile, writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { planTransform } from '../../src-main/engine/plan/plan-transform'
import { damagePayload, withCrcTrailers } from '../helpers/crc-sources'
import { cli } from '../helpers/cli'
import { oracle } from '../helpers/fixtures'
import { safetensorsCopy } from '../helpers/safetensors-copy'
import { hookedSink } from '../helpers/sink-hook'
import { useTempDirs } from '../helpers/temp-dir'
import { writeSyntheticCheckpoint, type SyntheticParam } from '../helpers/synthetic'

const tempDir = useTempDirs()

const PARAMS: SyntheticParam[] = [
  { name: 'w1', dtype: 'Float32', shape: [256, 512], map: [1, 0] },
  { name: 'w2', dtype: 'BFloat16', shape: [512, 256], map: [0, -1] }
]

async function synthetic() {
  const root = tempDir()
  const { folder, strategy } = await writeSyntheticCheckpoint(root, [2, 4], PARAMS)
  const dst = await readStrategyFile(strategy)
  for (const l of dst.layouts) {
    l.devMatrix = [4]
    l.tensorMap = l.tensorMap.map((m) => (m === 1 ? -1 : m))
  }
  const dstStrategy = join(root, 'dst.ckpt')
  await writeStrategyFile(dst, dstStrategy)
  const out = join(root, 'out')
  const replan = async () => {
    const plan = await planTransform({
      sourceFolder: folder,
      destinationFolder: out,
      sourceStrategy: await readStrategyFile(strategy),
      destinationStrategy: await readStrategyFile(dstStrategy),
      options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' }
    })
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([])
    return plan
  }
  return { plan: await replan(), out, replan }
}

/** Rewrites a file in place with other tensor bytes of the same size: what `ls -l` cannot tell apart. */
function rewriteSameSize(path: string): void {
  const bytes = readFileSync(path)
  const middle = Math.floor(bytes.length / 4)
  for (let i = middle; i < middle + 64; i++) bytes[i] = bytes[i]! ^ 0x5a
  writeFileSync(path, bytes)
}

function finalOutputs(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ckpt') || f.endsWith('.tmp'))
    .sort()
}

describe('a source that changed after planning is refused, naming the file', () => {
  it('rewritten with the same size between plan and run', async () => {
    const { plan, out } = await synthetic()
    const victim = plan.ranks[0]!.sources[0]!
    rewriteSameSize(victim.path)
    await expect(runTransform(plan, { jobs: 1 })).rejects.toMatchObject({
      code: 'SOURCE_CHANGED',
      file: victim.path,
      message: expect.stringMatching(
        new RegExp(
          `^Source ${victim.path} \\(rank ${victim.rank}\\) changed after the conversion was planned: it was modified`
        )
      )
    })
    const readers = plan.ranks
      .filter((r) => r.sources.some((s) => s.path === victim.path))
      .map((r) => r.output)
    for (const output of readers) expect(existsSync(join(out, output))).toBe(false)
    expect(finalOutputs(out).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('rewritten with its modification time put back, or replaced by a copy', async () => {
    const { plan: first, replan } = await synthetic()
    const [a, b] = first.ranks[0]!.sources.map((s) => s.path)
    // Whole seconds, so that the times can be put back exactly (`touch -r`).
    for (const path of [a!, b!]) utimesSync(path, 1_700_000_000, 1_700_000_000)
    const plan = await replan()
    rewriteSameSize(a!)
    utimesSync(a!, 1_700_000_000, 1_700_000_000)
    await expect(runTransform(plan, { jobs: 1 })).rejects.toMatchObject({
      code: 'SOURCE_CHANGED',
      message: expect.stringContaining(
        `${a} (rank ${plan.ranks[0]!.sources[0]!.rank}) changed after the conversion was planned: its contents or attributes were changed`
      )
    })
    const again = await replan()
    writeFileSync(b + '.copy', readFileSync(b!))
    utimesSync(b + '.copy', 1_700_000_000, 1_700_000_000)
    renameSync(b + '.copy', b!)
    await expect(runTransform(again, { jobs: 1 })).rejects.toMatchObject({
      message: expect.stringContaining(
        `${b} (rank ${again.ranks[0]!.sources[1]!.rank}) changed after the conversion was planned: it was replaced by another file`
      )
    })
  })

  it('rewritten while the rank reads it: caught before the output gets its name', async () => {
    const { plan, out } = await synthetic()
    const rank = plan.ranks[2]!
    const victim = rank.sources[1]!.path
    let rewritten = false
    const rewriteOnFirstWrite = hookedSink(() => {
      if (rewritten) return
      rewritten = true
      rewriteSameSize(victim)
    })
    await expect(
      executeRank(
        { plan: rank, destinationFolder: out, options: plan.options },
        {
          kernels: jsKernels,
          onProgress: () => undefined,
          cancelled: () => false,
          createSink: rewriteOnFirstWrite
        }
      )
    ).rejects.toMatchObject({ code: 'SOURCE_CHANGED', file: victim })
    expect(rewritten).toBe(true)
    expect(finalOutputs(out)).toEqual([])
  })
})

/** A private copy of an oracle source folder whose .ckpt files carry MindSpore's CRC-32 trailer. */
describe("a source's CRC-32", () => {
  it('is checked when the run reads the whole file anyway, and a damaged file is refused', async () => {
    const src = await withCrcTrailers('full_to_mp2x4', tempDir())
    const plan = await cli('plan', '--src', src, '--json')
    expect(JSON.parse(plan.stdout).ranks[0].sourceFiles[0].crc).toBe('during-run')
    const out = tempDir()
    const ok = await cli('transform', '--src', src, '--dst', out, '--json')
    expect(ok.code, ok.stderr).toBe(0)
    const path = join(src, 'rank_0', 'checkpoint_0.ckpt')
    expect(JSON.parse(ok.stdout).outputs[0].crcVerified).toEqual([path])
    const manifest = JSON.parse(readFileSync(join(out, 'shardscope-manifest.json'), 'utf8'))
    expect(manifest.outputs['rank_0/checkpoint_0.ckpt'].sources[0].crcVerified).toBe(true)

    damagePayload(path)
    const bad = await cli('transform', '--src', src, '--dst', tempDir())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      new RegExp(
        `Source ${path} \\(rank 0\\) fails its CRC-32 check \\(stored \\d+, computed \\d+\\): the file is damaged`
      )
    )
  })

  it('is checked for files read only in part when asked (--verify-crc), and the plan says which', async () => {
    const src = await withCrcTrailers('full_to_mp2x4', tempDir())
    const strategy = ['--dst-strategy', oracle('full_to_mp2x4', 'dst_strategy.ckpt')]
    const planned = await cli('plan', '--src', src, ...strategy)
    expect(planned.stdout).toContain(
      'CRC: 0 of 1 source file get their CRC-32 checked; 1 carries a CRC that is checked only with --verify-crc.'
    )
    damagePayload(join(src, 'rank_0', 'checkpoint_0.ckpt'))
    const unchecked = await cli('transform', '--src', src, '--dst', tempDir(), ...strategy, '--rank', '1')
    expect(unchecked.code, unchecked.stderr).toBe(0)
    const checked = await cli(
      'transform',
      '--src',
      src,
      '--dst',
      tempDir(),
      ...strategy,
      '--rank',
      '1',
      '--verify-crc'
    )
    expect(checked.code).toBe(2)
    expect(checked.stderr).toContain('fails its CRC-32 check')
    expect(checked.stderr).toContain('CRC: 1 of 1 source file get their CRC-32 checked.')
  })

  it('of safetensors sources (crc_num) is checked the same way', async () => {
    const src = tempDir()
    await safetensorsCopy(oracle('full_to_mp2x4', 'src'), src, { crc: true })
    expect((await cli('transform', '--src', src, '--dst', tempDir())).code).toBe(0)
    const path = join(src, 'rank_0', 'checkpoint_0.safetensors')
    const bytes = readFileSync(path)
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1
    writeFileSync(path, bytes)
    const bad = await cli('transform', '--src', src, '--dst', tempDir())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`Source ${path} (rank 0) fails its CRC-32 check`)
  })
})
