import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppEvent, JobResult } from '../../src-main/api/contract'
import type { AppService } from '../../src-main/services/app-service'
import { expandStrategyTable } from '../../src-renderer/api/strategy-table'
import { oracle, real } from '../helpers/fixtures'
import { useAppService } from '../helpers/app-service'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const newService = useAppService(tempDir)

async function call(s: AppService, name: string, params: unknown) {
  const reply = await s.handle(name, params)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.result as never
}

describe('the app service on real files', () => {
  it('builds the sample workspace with our engine and describes it', async () => {
    const s = newService()
    const sample = (await call(s, 'sample.open', {})) as {
      folder: string
      sourceStrategy: string
      destinationStrategy: string
    }
    const strategy = expandStrategyTable(
      await call(s, 'strategy.describe', { path: sample.sourceStrategy, folder: sample.folder })
    )
    expect([strategy.stageCount, strategy.stageDevices, strategy.problems]).toEqual([2, 4, []])
    const wq = strategy.params.find((p) => p.name === 'model.layers.0.attention.wq.weight')!
    // [64,64] split over mp 2 on dim 0, then optimizer-sharded 2 ways: 16 rows per rank.
    expect([wq.shape, wq.sliceShape, wq.dtype, wq.bytesPerRank, wq.optShardSize]).toEqual([
      [64, 64],
      [16, 64],
      'BFloat16',
      2048,
      2
    ])
    const tied = strategy.params.filter((p) => p.name === 'model.tok_embeddings.embedding_weight')
    expect(tied.map((p) => [p.stage, p.stages])).toEqual([
      [0, [0, 1]],
      [1, [0, 1]]
    ])
    const folder = (await call(s, 'folder.describe', {
      path: sample.folder,
      strategy: sample.sourceStrategy
    })) as { ranks: { rank: number; stage: number; params: number }[]; problems: string[] }
    expect(folder.problems).toEqual([])
    expect(folder.ranks.map((r) => [r.rank, r.stage])).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((r) => [r, r < 4 ? 0 : 1])
    )
  })

  it('recognises what a path is, or says why not', async () => {
    const s = newService()
    expect(await call(s, 'path.open', { path: real('mindformers__strategy_8_npus.ckpt') })).toMatchObject({
      ok: true,
      kind: 'strategy',
      detail: '148 parameter layouts in 2 pipeline stages'
    })
    expect(await call(s, 'path.open', { path: oracle('dp8_to_mp4', 'src') })).toMatchObject({
      ok: true,
      kind: 'checkpoint-folder',
      detail: '8 ranks, 60.7 KiB'
    })
    const bad = (await call(s, 'path.open', { path: oracle('cases.json') })) as { ok: boolean; error: string }
    expect(bad.ok).toBe(false)
    expect(bad.error).toContain('is JSON but neither a strategy file')
    expect(((await call(s, 'recent.list', {})) as unknown[]).length).toBe(2)
  })

  it('opens an uploaded folder with its structure', async () => {
    const s = newService()
    const bytes = readFileSync(oracle('dp8_to_mp4', 'src', 'rank_0', 'checkpoint_0.ckpt')).toString('base64')
    const files = [0, 1].map((r) => ({ relativePath: `src/rank_${r}/checkpoint_${r}.ckpt`, data: bytes }))
    expect(await call(s, 'upload.files', { name: 'src', files })).toMatchObject({
      ok: true,
      kind: 'checkpoint-folder',
      detail: expect.stringMatching(/^2 ranks/)
    })
  })

  it('plans, runs, reports progress and verifies a conversion of the sample', async () => {
    const s = newService()
    const sample = (await call(s, 'sample.open', {})) as {
      folder: string
      sourceStrategy: string
      destinationStrategy: string
    }
    const out = join(tempDir(), 'out')
    const plan = (await call(s, 'plan.create', {
      source: { folder: sample.folder, strategy: sample.sourceStrategy },
      destination: { folder: out, strategy: sample.destinationStrategy },
      options: { format: 'ckpt' }
    })) as {
      planId: string
      ranks: { rank: number; sourceRanks: number[] }[]
      flows: { source: number; destination: number; bytes: number }[]
      problems: { severity: string }[]
    }
    expect(plan.ranks.map((r) => r.rank)).toEqual([0, 1, 2, 3])
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([])
    expect(new Set(plan.flows.map((f) => f.destination))).toEqual(new Set([0, 1, 2, 3]))
    const detail = (await call(s, 'plan.param', {
      planId: plan.planId,
      rank: 1,
      param: 'model.layers.0.attention.wq.weight'
    })) as { shape: number[]; offset: number[]; pieces: { offset: number[]; extent: number[] }[] }
    expect([detail.shape, detail.offset]).toEqual([
      [16, 64],
      [16, 0]
    ])
    expect(detail.pieces.reduce((sum, p) => sum + p.extent[0]! * p.extent[1]!, 0)).toBe(16 * 64)

    const events: AppEvent[] = []
    s.onEvent((e) => events.push(e))
    const { jobId } = (await call(s, 'job.start', { planId: plan.planId })) as { jobId: string }
    const finished = await new Promise<JobResult>((resolve, reject) => {
      s.onEvent((e) => {
        if (e.type === 'job.finished') resolve(e.result)
        if (e.type === 'job.failed') reject(new Error(e.message))
      })
    })
    expect(finished.jobId).toBe(jobId)
    expect(finished.verified).toBe(true)
    expect(finished.outputs.map((o) => o.output)).toEqual(
      [0, 1, 2, 3].map((r) => `rank_${r}/checkpoint_${r}.ckpt`)
    )
    const manifest = JSON.parse(readFileSync(join(out, 'shardscope-manifest.json'), 'utf8'))
    // Strategies are identified by what they say, so the manifest tells which layouts an output came from.
    expect(manifest.strategies.source.paths).toEqual(
      [0, 4].map((r) => join(sample.sourceStrategy, `ckpt_strategy_rank_${r}.ckpt`))
    )
    expect(manifest.strategies.destination.paths).toEqual([sample.destinationStrategy])
    expect(manifest.strategies.source.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(manifest.strategies.destination.sha256).not.toBe(manifest.strategies.source.sha256)
    expect(events.some((e) => e.type === 'job.progress')).toBe(true)
  })

  it('reports validation problems instead of running', async () => {
    const s = newService()
    const sample = (await call(s, 'sample.open', {})) as { folder: string; sourceStrategy: string }
    const plan = (await call(s, 'plan.create', {
      source: { folder: sample.folder, strategy: sample.sourceStrategy },
      destination: { folder: join(tempDir(), 'out'), strategy: oracle('dp8_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt' }
    })) as { planId: string; problems: { severity: string; message: string }[] }
    expect(
      plan.problems.some((p) => p.severity === 'warning' && p.message.includes('the source does not hold'))
    ).toBe(true)
    const reply = await s.handle('job.start', { planId: 'no-such-plan' })
    expect(reply).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'That plan is no longer available; plan the conversion again.' }
    })
  })
})
