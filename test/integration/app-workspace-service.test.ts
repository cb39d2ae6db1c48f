import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type {
  AppEvent,
  FolderVerification,
  JobResult,
  MenuCommand,
  OpenedItem,
  PairMatch
} from '../../src-main/api/contract'
import { EncryptingSink } from '../../src-main/engine/formats/ckpt/ckpt-encrypt'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import { AppService, type ShellCapabilities } from '../../src-main/services/app-service'
import { oracle, real } from '../helpers/fixtures'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const services: AppService[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()))
})

function newService(config = tempDir(), shell: ShellCapabilities = { shell: 'browser' }) {
  const service = new AppService(shell, {
    recentFile: join(config, 'recent.json'),
    sampleCacheRoot: join(config, 'cache')
  })
  services.push(service)
  return service
}

async function call<T>(s: AppService, name: string, params: unknown): Promise<T> {
  const reply = await s.handle(name, params)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.result as T
}

function next<T extends AppEvent['type']>(s: AppService, type: T): Promise<Extract<AppEvent, { type: T }>> {
  return new Promise((resolve) => {
    const stop = s.onEvent((e) => {
      if (e.type === type) {
        stop()
        resolve(e as Extract<AppEvent, { type: T }>)
      }
    })
  })
}

async function runToEnd(
  s: AppService,
  planId: string,
  extra: Record<string, unknown> = {}
): Promise<JobResult> {
  const finished = Promise.race([
    next(s, 'job.finished').then((e) => e.result),
    next(s, 'job.failed').then((e) => Promise.reject(new Error(e.message)))
  ])
  await call(s, 'job.start', { planId, ...extra })
  return finished
}

describe('the workspace kept between sessions', () => {
  it('is absent on first launch, then comes back as saved, in a later session too', async () => {
    const config = tempDir()
    const first = newService(config)
    expect(await call(first, 'workspace.load', {})).toBeNull()
    const saved = {
      items: [{ path: '/data/ckpt' }, { path: '/data/strategy.ckpt', sample: true }],
      pairs: [{ strategy: '/data/strategy.ckpt', folder: '/data/ckpt' }]
    }
    expect(await call(first, 'workspace.save', saved)).toEqual({ saved: true })
    expect(await call(newService(config), 'workspace.load', {})).toEqual(saved)
    // An emptied workspace is still a workspace: the sample is not brought back.
    await call(first, 'workspace.save', { items: [], pairs: [] })
    expect(await call(newService(config), 'workspace.load', {})).toEqual({ items: [], pairs: [] })
  })

  it('refuses relative paths in a saved workspace', async () => {
    const reply = await newService().handle('workspace.save', { items: [{ path: 'x' }], pairs: [] })
    expect(reply).toMatchObject({ ok: false, error: { message: expect.stringContaining('absolute path') } })
  })

  it('forgets a recent item on request', async () => {
    const s = newService()
    await call(s, 'path.open', { path: real('mindformers__strategy_4_npus.ckpt') })
    await call(s, 'path.open', { path: real('mindformers__strategy_8_npus.ckpt') })
    const left = await call<{ path: string }[]>(s, 'recent.remove', {
      path: real('mindformers__strategy_8_npus.ckpt')
    })
    expect(left.map((r) => r.path)).toEqual([real('mindformers__strategy_4_npus.ckpt')])
    expect(await call(s, 'recent.list', {})).toEqual(left)
  })
})

describe('pairing suggestions', () => {
  it('suggests the folder a strategy describes, and not an unrelated one', async () => {
    const s = newService()
    const sample = await call<{ folder: string; sourceStrategy: string }>(s, 'sample.open', {})
    const llama = real('golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt')
    const matches = await call<PairMatch[]>(s, 'pair.match', {
      strategies: [sample.sourceStrategy, llama],
      folders: [sample.folder, oracle('mp2x4_to_mp4', 'src')]
    })
    const fit = (strategy: string, folder: string) =>
      matches.find((m) => m.strategy === strategy && m.folder === folder)!
    expect(fit(sample.sourceStrategy, sample.folder)).toMatchObject({
      fit: 'good',
      reason: '8 ranks on both sides; 117 of 117 parameter names found'
    })
    // The sample is Llama-like: some names agree, the rank counts do not, so it is no suggestion.
    expect(fit(llama, sample.folder)).toMatchObject({
      fit: 'partial',
      reason: expect.stringMatching(/^the strategy describes 2 ranks, the folder holds 8; \d+ of 363/)
    })
    expect(fit(llama, oracle('mp2x4_to_mp4', 'src')).fit).toBe('none')
    const oracleFit = await call<PairMatch[]>(s, 'pair.match', {
      strategies: [oracle('mp2x4_to_mp4', 'src_strategy.ckpt'), oracle('mp2x4_to_mp4', 'dst_strategy.ckpt')],
      folders: [oracle('mp2x4_to_mp4', 'src')]
    })
    expect(oracleFit.map((m) => m.fit)).toEqual(['good', 'partial'])
  })
})

describe('conversion options the CLI has', () => {
  it('writes a rank subset with a prefix, CRC trailers, fsync and one job', async () => {
    const s = newService()
    const out = join(tempDir(), 'out')
    const plan = await call<{ planId: string; ranks: { rank: number; output: string }[] }>(s, 'plan.create', {
      source: {
        folder: oracle('mp2x4_to_mp4', 'src'),
        strategy: oracle('mp2x4_to_mp4', 'src_strategy.ckpt')
      },
      destination: { folder: out, strategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt', prefix: 'model_', ranks: [1, 3], crc: true }
    })
    expect(plan.ranks.map((r) => r.output)).toEqual(['rank_1/model_1.ckpt', 'rank_3/model_3.ckpt'])
    const result = await runToEnd(s, plan.planId, { jobs: 1, fsync: true })
    expect(result.verified).toBe(true)
    expect(readdirSync(out).sort()).toEqual(['rank_1', 'rank_3', 'shardscope-manifest.json'])
    const written = readFileSync(join(out, 'rank_1', 'model_1.ckpt'))
    expect(written.subarray(written.length - 17, written.length - 9).toString()).toBe('crc_num\0')
  })

  it('reads encrypted sources with the key kept in main', async () => {
    const key = Buffer.alloc(16, 7)
    const keyFile = join(tempDir(), 'key.bin')
    writeFileSync(keyFile, key)
    const src = join(tempDir(), 'src')
    cpSync(oracle('mp2x4_to_mp4', 'src'), src, { recursive: true })
    for (const rank of readdirSync(src)) {
      const file = join(src, rank, readdirSync(join(src, rank))[0]!)
      const sink = new EncryptingSink(await AtomicFileSink.create(file), key, 'AES-CBC')
      await sink.write(readFileSync(file))
      await sink.commit()
    }
    const s = newService()
    const request = (decryption: unknown) => ({
      source: { folder: src, strategy: oracle('mp2x4_to_mp4', 'src_strategy.ckpt') },
      destination: { folder: join(tempDir(), 'out'), strategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt', ...(decryption ? { decryption } : {}) }
    })
    const locked = await call<{ problems: { severity: string }[] }>(s, 'plan.create', request(undefined))
    expect(locked.problems.some((p) => p.severity === 'error')).toBe(true)
    const plan = await call<{ planId: string; problems: { severity: string }[] }>(
      s,
      'plan.create',
      request({ key: `@${keyFile}`, mode: 'aes-cbc' })
    )
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([])
    expect(JSON.stringify(plan)).not.toContain(key.toString('hex'))
    expect((await runToEnd(s, plan.planId)).verified).toBe(true)
  })

  it('checks options as the CLI does, naming the option', async () => {
    const s = newService()
    const base = {
      source: { folder: oracle('mp2x4_to_mp4', 'src') },
      destination: { folder: join(tempDir(), 'out') }
    }
    const refuse = async (options: Record<string, unknown>) => {
      const reply = await s.handle('plan.create', { ...base, options: { format: 'ckpt', ...options } })
      return reply.ok ? 'accepted' : reply.error.message
    }
    expect(await refuse({ prefix: 'a/b' })).toContain('without slashes')
    expect(await refuse({ format: 'safetensors', crc: true })).toContain('CRC trailer')
    expect(await refuse({ dtype: 'int8' })).toContain('floating-point')
    expect(await refuse({ decryption: { key: '12' } })).toContain('hex digits')
    expect(await refuse({ decryption: { key: '@key.bin' } })).toContain('absolute path')
    expect(await refuse({ decryption: { key: '00'.repeat(16), mode: 'ROT13' } })).toContain('AES-GCM')
  })
})

describe('verifying a converted folder', () => {
  it('says what the folder was made from and verifies every output, file by file', async () => {
    const s = newService()
    const out = join(tempDir(), 'out')
    const plan = await call<{ planId: string }>(s, 'plan.create', {
      source: {
        folder: oracle('mp2x4_to_mp4', 'src'),
        strategy: oracle('mp2x4_to_mp4', 'src_strategy.ckpt')
      },
      destination: { folder: out, strategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt') },
      options: { format: 'ckpt' }
    })
    await runToEnd(s, plan.planId)
    const item = await call<OpenedItem>(s, 'path.open', { path: out })
    expect(item).toMatchObject({
      ok: true,
      title: 'Converted checkpoint folder',
      converted: {
        outputs: 4,
        sourceFolder: oracle('mp2x4_to_mp4', 'src'),
        destinationStrategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt')
      }
    })
    const damaged = readFileSync(join(out, 'rank_2', 'checkpoint_2.ckpt'))
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0xff
    writeFileSync(join(out, 'rank_2', 'checkpoint_2.ckpt'), damaged)
    const checked: string[] = []
    s.onEvent((e) => e.type === 'verify.checked' && checked.push(e.output.output))
    const finished = next(s, 'verify.finished')
    expect(await call(s, 'folder.verify', { path: out })).toMatchObject({ total: 4 })
    const result: FolderVerification = (await finished).result
    expect(result.verified).toBe(false)
    expect(result.outputs.map((o) => [o.rank, o.status])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
      [2, 'checksum-mismatch'],
      [3, 'ok']
    ])
    expect(checked.sort()).toEqual([0, 1, 2, 3].map((r) => `rank_${r}/checkpoint_${r}.ckpt`))
  })

  it('refuses a folder without a manifest in words', async () => {
    const reply = await newService().handle('folder.verify', { path: oracle('mp2x4_to_mp4', 'src') })
    expect(reply).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('no shardscope-manifest.json') }
    })
  })
})

describe('the application menu', () => {
  it('is drawn by the shell that has one and sends chosen commands to the renderer', async () => {
    expect(await call(newService(), 'menu.set', { commands: [] })).toEqual({ installed: false })
    let drawn: MenuCommand[] = []
    let choose: (id: string) => void = () => undefined
    const s = newService(tempDir(), {
      shell: 'electron',
      setMenu(commands, run) {
        drawn = commands
        choose = run
      }
    })
    const commands = [{ id: 'open.file', label: 'Open file…', menu: 'file', accelerator: 'CmdOrCtrl+O' }]
    expect(await call(s, 'menu.set', { commands })).toEqual({ installed: true })
    expect(drawn).toEqual(commands)
    const chosen = next(s, 'menu.command')
    choose('open.file')
    expect(await chosen).toEqual({ type: 'menu.command', id: 'open.file' })
  })
})
