import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { USAGE } from '../../src-main/cli/run'
import { cliProcess } from '../helpers/cli'

const ROOT = join(__dirname, '../..')
const BUNDLER = join(ROOT, 'scripts/cli-bundle.cjs')
const bundler = createRequire(__filename)(BUNDLER) as {
  ensureCliBundle(options?: { outDir?: string; onError?: (err: Error) => void }): string | undefined
  currentBundle(outDir: string): string | undefined
}
const FIXTURE = join(ROOT, '../shared/fixtures/mindspore-oracle/dp8_to_mp4')

const scratch = mkdtempSync(join(tmpdir(), 'shardscope-cli-bundle-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function ensure(outDir: string): string {
  const bundle = bundler.ensureCliBundle({
    outDir,
    onError: (err) => {
      throw err
    }
  })
  if (!bundle) throw new Error('no bundle')
  return bundle
}

describe('the CLI bundle', () => {
  it('is built once, runs with plain node, and is reused while its inputs are unchanged', () => {
    const outDir = join(scratch, 'reuse')
    const bundle = ensure(outDir)
    const record = readFileSync(join(outDir, 'cli.json'), 'utf8')
    const help = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toBe(USAGE)
    expect(ensure(outDir)).toBe(bundle)
    expect(readFileSync(join(outDir, 'cli.json'), 'utf8')).toBe(record)
    expect(readdirSync(outDir).sort()).toEqual(['cli.json', bundle.split('/').at(-2)].sort())
  })

  it('is rebuilt when an input differs from what it was built from', () => {
    const outDir = join(scratch, 'stale')
    const bundle = ensure(outDir)
    const recordPath = join(outDir, 'cli.json')
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as { inputs: Record<string, string> }
    expect(Object.keys(record.inputs)).toEqual(
      expect.arrayContaining(['src-main/cli/run.ts', 'scripts/cli-bundle.cjs'])
    )
    // As if src-main/cli/run.ts had been edited since the build.
    record.inputs['src-main/cli/run.ts'] = '1:1'
    writeFileSync(recordPath, JSON.stringify(record))
    expect(bundler.currentBundle(outDir)).toBeUndefined()
    expect(ensure(outDir)).toBe(bundle)
    expect(bundler.currentBundle(outDir)).toBe(bundle)
  })

  it('survives many commands building it at once (mpirun starting one per rank)', async () => {
    const outDir = join(scratch, 'race')
    const script = `process.stdout.write(require(${JSON.stringify(BUNDLER)}).ensureCliBundle({ outDir: ${JSON.stringify(outDir)} }) ?? 'none')`
    const results = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['-e', script])
            let out = ''
            child.stdout.on('data', (d: Buffer) => (out += d.toString()))
            child.on('close', () => resolve(out))
          })
      )
    )
    expect(new Set(results).size).toBe(1)
    expect(existsSync(results[0]!)).toBe(true)
    expect(readdirSync(outDir).filter((n) => !n.startsWith('cli.json'))).toHaveLength(1)
    expect(bundler.currentBundle(outDir)).toBe(results[0])
  })

  it('says why when it cannot build, instead of throwing (the launcher then runs the sources)', () => {
    const blocker = join(scratch, 'a-file')
    writeFileSync(blocker, '')
    const errors: Error[] = []
    expect(bundler.ensureCliBundle({ outDir: join(blocker, 'out'), onError: (e) => errors.push(e) })).toBe(
      undefined
    )
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOTDIR'])
  })

  it('runs transform with the worker built beside it, not a second bundle', () => {
    const work = join(scratch, 'transform')
    const tmp = join(scratch, 'child-tmp')
    const result = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/shardscope.cjs'),
        'transform',
        '--src',
        join(FIXTURE, 'src'),
        '--dst',
        work,
        '--src-strategy',
        join(FIXTURE, 'src_strategy.ckpt'),
        '--dst-strategy',
        join(FIXTURE, 'dst_strategy.ckpt')
      ],
      { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, timeout: 60_000 }
    )
    expect(result.stderr).not.toMatch(/error/)
    expect(result.status).toBe(0)
    expect(readdirSync(work).sort()).toEqual([
      'rank_0',
      'rank_1',
      'rank_2',
      'rank_3',
      'shardscope-manifest.json'
    ])
    // worker-bundle.ts would have cached a worker of its own under TMPDIR.
    expect(existsSync(join(tmp, 'shardscope-worker-cache'))).toBe(false)
    expect(cliProcess('verify', work).code).toBe(0)
  })
})
