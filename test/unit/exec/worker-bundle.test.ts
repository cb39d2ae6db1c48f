import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundledWorker } from '../../../src-main/engine/exec/worker-bundle'
import { WorkerPool } from '../../../src-main/engine/exec/worker-pool'
import { createFastHasher } from '../../../src-main/engine/io/fast-hash'
import { userCacheDirectory } from '../../../src-main/engine/io/user-cache-dir'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const ENTRY = join(__dirname, '../../../src-main/engine/exec/transform-worker.ts')
const isRoot = process.getuid?.() === 0

let saved: string | undefined
let cacheHome: string
beforeEach(() => {
  saved = process.env.XDG_CACHE_HOME
  cacheHome = tempDir()
  process.env.XDG_CACHE_HOME = cacheHome
})
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME
  else process.env.XDG_CACHE_HOME = saved
})

/** What an attacker would leave: a "bundle" and a record saying it is up to date with no inputs at all. */
function plant(dir: string): string {
  mkdirSync(dir, { recursive: true })
  const names = readdirSync(dir).filter((n) => n.endsWith('.cjs'))
  const planted = join(dir, names[0] ?? 'transform-worker-planted.cjs')
  writeFileSync(planted, 'throw new Error("planted")\n')
  writeFileSync(`${planted}.inputs.json`, JSON.stringify({ inputs: {} }))
  return planted
}

describe('the worker bundle cache', () => {
  it('lives in this user’s cache folder ($XDG_CACHE_HOME/shardscope/worker), private to the user', () => {
    const bundle = bundledWorker(ENTRY)
    const dir = join(cacheHome, 'shardscope', 'worker')
    expect(bundle).toMatch(new RegExp(`^${dir}/transform-worker-[0-9a-f]{16}\\.cjs$`))
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(bundle!).mode & 0o077).toBe(0)
    // Up to date: the same file again, not a rebuild.
    const built = statSync(bundle!).mtimeMs
    expect(bundledWorker(ENTRY)).toBe(bundle)
    expect(statSync(bundle!).mtimeMs).toBe(built)
  })

  it('refuses a folder others may write, so a planted bundle is never run', () => {
    const dir = join(cacheHome, 'shardscope', 'worker')
    expect(bundledWorker(ENTRY)).toBeDefined()
    const planted = plant(dir)
    chmodSync(dir, 0o777)
    expect(bundledWorker(ENTRY)).toBeUndefined()
    expect(userCacheDirectory('worker')).toEqual({
      refused: `${dir} may be written by others (mode 777)`
    })
    chmodSync(dir, 0o700)
    // Back to private: the record lists no inputs, so only a file this user wrote is trusted there.
    expect(bundledWorker(ENTRY)).toBe(planted)
  })

  it('refuses a symbolic link in place of the folder', () => {
    const elsewhere = join(tempDir(), 'elsewhere')
    mkdirSync(elsewhere, { mode: 0o700 })
    mkdirSync(join(cacheHome, 'shardscope'), { mode: 0o700 })
    symlinkSync(elsewhere, join(cacheHome, 'shardscope', 'worker'))
    expect(bundledWorker(ENTRY)).toBeUndefined()
    expect(readdirSync(elsewhere)).toEqual([])
  })

  it.skipIf(!isRoot)('refuses a folder that belongs to another user', () => {
    const dir = join(cacheHome, 'shardscope', 'worker')
    plant(dir)
    chmodSync(dir, 0o700)
    chownSync(dir, 65534, 65534)
    expect(bundledWorker(ENTRY)).toBeUndefined()
    expect(userCacheDirectory('worker')).toEqual({
      refused: `${dir} belongs to user 65534, not to this user (0)`
    })
  })

  it('ignores a relative XDG_CACHE_HOME, as the XDG spec says', () => {
    process.env.XDG_CACHE_HOME = 'relative/cache'
    const found = userCacheDirectory('worker')
    expect(found).not.toHaveProperty('refused')
    expect((found as { path: string }).path).toMatch(/^\/.*\/\.cache\/shardscope\/worker$/)
    expect(existsSync('relative')).toBe(false)
  })

  it('bundles a worker that finds the packages with compiled files (xxhash-addon) from the cache', async () => {
    const pool = new WorkerPool(1)
    try {
      const file = join(tempDir(), 'data.bin')
      writeFileSync(file, 'abc')
      const hashed = await pool.run({ type: 'hash', rank: 0, path: file, algorithms: ['xxh3_128'] })
      expect(hashed).toMatchObject({
        type: 'hashed',
        exists: true,
        size: 3,
        hashes: { xxh3_128: createFastHasher().update(Buffer.from('abc')).digestHex() }
      })
      expect(readdirSync(join(cacheHome, 'shardscope', 'worker')).some((n) => n.endsWith('.cjs'))).toBe(true)
    } finally {
      await pool.close()
    }
  })
})
