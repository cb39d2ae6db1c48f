import { cpSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppEvent, OpenedItem } from '../../../src-main/api/contract'
import { readStrategyFile, writeStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import type { AppService } from '../../../src-main/services/app-service'
import { oracle } from '../../helpers/fixtures'
import { useAppService } from '../../helpers/app-service'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const newService = useAppService(tempDir)

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

async function ok<T>(s: AppService, name: string, params: unknown): Promise<T> {
  const reply = await s.handle(name, params)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.result as T
}

const source = {
  folder: oracle('mp2x4_to_mp4', 'src'),
  strategy: oracle('mp2x4_to_mp4', 'src_strategy.ckpt')
}

/** Settles `promise` into a flag so a test can ask "has it finished?" without waiting for it. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false }
  void promise.finally(() => (state.settled = true))
  return state
}

describe('engine work runs outside the process that serves the window', () => {
  it('answers app requests while the reader process is frozen mid-request, and finishes the request later', async () => {
    const s = newService()
    await ok(s, 'folder.describe', { path: source.folder })
    const reader = s.enginePids.reader!
    expect(reader).not.toBe(process.pid)
    signal(reader, 'SIGSTOP')
    const describing = s.handle('folder.describe', { path: source.folder })
    const state = watch(describing)
    // However long a hostile file keeps the reader busy, the serving process is not the one waiting.
    for (let i = 0; i < 20; i++) {
      expect(await ok(s, 'app.info', {})).toMatchObject({ shell: 'browser' })
      expect(await ok(s, 'recent.list', {})).toEqual([])
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(state.settled).toBe(false)
    signal(reader, 'SIGCONT')
    expect(await describing).toMatchObject({ ok: true, result: { ranks: expect.any(Array) } })
  })

  it('reports a reader that dies in a sentence naming the task, and replaces it', async () => {
    const s = newService()
    await ok(s, 'path.open', { path: source.strategy })
    const reader = s.enginePids.reader!
    signal(reader, 'SIGSTOP')
    const describing = s.handle('folder.describe', { path: source.folder })
    signal(reader, 'SIGKILL')
    expect(await describing).toEqual({
      ok: false,
      error: {
        code: 'UNSUPPORTED',
        message: `The engine process stopped while reading the checkpoint folder ${source.folder}: it was stopped by SIGKILL. It has been replaced and the rest of Shardscope is unaffected.`
      }
    })
    const again = await ok<{ ranks: unknown[] }>(s, 'folder.describe', { path: source.folder })
    expect(again.ranks).toHaveLength(8)
    expect(s.enginePids.reader).not.toBe(reader)
  })

  it('reports a conversion whose runner dies as failed, with the reason, and plans again afterwards', async () => {
    const s = newService()
    const out = join(tempDir(), 'out')
    const request = {
      source,
      destination: { folder: out, strategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt' }
    }
    const plan = await ok<{ planId: string }>(s, 'plan.create', request)
    const events: AppEvent[] = []
    s.onEvent((e) => events.push(e))
    const runner = s.enginePids.runner!
    const { jobId } = await ok<{ jobId: string }>(s, 'job.start', { planId: plan.planId })
    signal(runner, 'SIGKILL')
    await expect
      .poll(() => events.find((e) => e.type === 'job.failed' || e.type === 'job.finished'))
      .toBeTruthy()
    const end = events.find((e) => e.type === 'job.failed' || e.type === 'job.finished')!
    // The conversion may have been quicker than the kill; when it was not, its failure is reported in words.
    if (end.type === 'job.failed') {
      expect(end).toMatchObject({ jobId, state: 'failed' })
      expect(end.message).toContain('the engine process running it stopped (it was stopped by SIGKILL)')
    }
    expect(await s.handle('plan.param', { planId: plan.planId, rank: 0, param: 'x' })).toMatchObject({
      ok: false,
      error: { message: 'That plan is no longer available; plan the conversion again.' }
    })
    expect((await ok<{ ranks: unknown[] }>(s, 'plan.create', request)).ranks).toHaveLength(4)
  })
})

describe('how engine processes start', () => {
  it('from sources, as a bundle in the user’s own cache, never through tsx and its shared compile cache', async () => {
    const s = newService()
    await ok(s, 'path.open', { path: source.strategy })
    for (const pid of [s.enginePids.reader!, s.enginePids.runner!]) {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      // Compiling the engine through tsx cost each process about 1.2 s of CPU before its first answer.
      expect(commandLine.some((arg) => /shardscope\/worker\/engine-host-[0-9a-f]{16}\.cjs$/.test(arg))).toBe(
        true
      )
      expect(commandLine.join(' ')).not.toContain('tsx')
    }
  })

  it('runs a conversion from the bundle: the runner finds the transform worker beside the sources', async () => {
    const s = newService()
    const out = join(tempDir(), 'out')
    const plan = await ok<{ planId: string }>(s, 'plan.create', {
      source,
      destination: { folder: out, strategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt' }
    })
    const events: AppEvent[] = []
    s.onEvent((e) => events.push(e))
    await ok(s, 'job.start', { planId: plan.planId })
    await expect
      .poll(() => events.find((e) => e.type === 'job.failed' || e.type === 'job.finished'), {
        timeout: 60_000
      })
      .toBeTruthy()
    expect(events.find((e) => e.type === 'job.failed')).toBeUndefined()
    expect(readdirSync(out).filter((n) => n.startsWith('rank_'))).toHaveLength(4)
  })
})

describe('inputs too large for the app', () => {
  it('a folder naming rank 4294967296 is refused in a sentence, not as a bug', async () => {
    const s = newService()
    const folder = join(tempDir(), 'src')
    cpSync(join(source.folder, 'rank_0'), join(folder, 'rank_0'), { recursive: true })
    cpSync(join(source.folder, 'rank_1'), join(folder, 'rank_4294967296'), { recursive: true })
    for (const name of ['folder.describe', 'path.open']) {
      const reply = await s.handle(name, { path: folder })
      const words = reply.ok ? JSON.stringify(reply.result) : `${reply.error.code} ${reply.error.message}`
      expect([name, words]).not.toEqual([name, expect.stringMatching(/INTERNAL|bug/)])
    }
  })

  it('a result bigger than main takes is refused in the engine process', async () => {
    const s = newService({ maxReplyBytes: 1024 })
    expect(await s.handle('strategy.describe', { path: source.strategy })).toEqual({
      ok: false,
      error: {
        code: 'UNSUPPORTED',
        message: `Reading the strategy ${source.strategy} gave a result larger than the 1.00 KiB Shardscope passes to its window: the input describes more than the app can show.`
      }
    })
    expect(await ok(s, 'path.open', { path: source.strategy })).toMatchObject({ ok: true, kind: 'strategy' })
  })
})

describe('a planner that runs out of memory', () => {
  it('refuses an uploaded strategy with a huge device matrix in a sentence, and keeps serving', async () => {
    const s = newService({ planMemoryMb: 64 })
    const strategy = await readStrategyFile(oracle('mp2x4_to_mp4', 'dst_strategy.ckpt'))
    // As many replicated ranks as a strategy may name: every one a plan of its own, more than 64 MiB can hold.
    for (const layout of strategy.layouts) {
      layout.devMatrix = [1 << 17]
      layout.tensorMap = layout.tensorMap.map(() => -1)
      layout.optShardSize = 0
      layout.optShardStep = 0
    }
    const file = join(tempDir(), 'huge.ckpt')
    await writeStrategyFile(strategy, file)
    const uploaded = await ok<OpenedItem>(s, 'upload.files', {
      name: 'huge.ckpt',
      files: [{ relativePath: 'huge.ckpt', data: readFileSync(file).toString('base64') }]
    })
    expect(uploaded.ok).toBe(true)
    const reply = await s.handle('plan.create', {
      source,
      destination: { folder: join(tempDir(), 'out'), strategy: uploaded.path },
      options: { format: 'ckpt' }
    })
    expect(reply.ok).toBe(false)
    if (reply.ok) return
    // Out of memory, or (once the planner bounds device matrices) refused up front: either way in words.
    expect(reply.error.code).not.toBe('INTERNAL')
    expect(reply.error.message).not.toMatch(/bug/i)
    expect(await ok(s, 'app.info', {})).toMatchObject({ shell: 'browser' })
    const plan = await ok<{ ranks: unknown[] }>(s, 'plan.create', {
      source,
      destination: { folder: join(tempDir(), 'out2'), strategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt' }
    })
    expect(plan.ranks).toHaveLength(4)
  })
})
