import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  MANIFEST_NAME,
  manifestOutputs,
  manifestProgress,
  readManifest,
  writeManifest,
  type Manifest
} from '../../../src-main/engine/exec/manifest'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/** What Shardscope wrote before manifest version 2. */
const V1 = {
  format: 'shardscope-manifest',
  version: 1,
  sourceFolder: '/ckpt/src',
  strategies: {},
  options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' },
  outputs: {
    'rank_1/checkpoint_1.ckpt': {
      rank: 1,
      size: 20,
      sha256: 'b'.repeat(64),
      planHash: 'p1',
      sources: [{ path: '/ckpt/src/rank_1/a.ckpt', size: 9, mtimeMs: 1 }],
      completedAt: '2025-01-01T00:00:00.000Z'
    },
    'rank_0/checkpoint_0.ckpt': {
      rank: 0,
      size: 10,
      sha256: 'a'.repeat(64),
      planHash: 'p0',
      sources: [{ path: '/ckpt/src/rank_0/a.ckpt', size: 9, mtimeMs: 1 }],
      completedAt: '2025-01-01T00:00:00.000Z'
    }
  },
  updatedAt: '2025-01-01T00:00:00.000Z'
}

describe('the manifest', () => {
  it('reads version 1 as version 2: each bare sha256 becomes hashes.sha256', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, MANIFEST_NAME), JSON.stringify(V1))
    const manifest = (await readManifest(dir))!
    expect(manifest.version).toBe(2)
    expect(manifest.upgradedFrom).toBe(1)
    expect(manifest.conversion).toBeUndefined()
    expect(manifestOutputs(manifest)).toEqual([
      { output: 'rank_0/checkpoint_0.ckpt', rank: 0, size: 10, hashes: { sha256: 'a'.repeat(64) } },
      { output: 'rank_1/checkpoint_1.ckpt', rank: 1, size: 20, hashes: { sha256: 'b'.repeat(64) } }
    ])
  })

  it('round-trips version 2 with its conversion identity and run state', async () => {
    const dir = tempDir()
    const manifest: Manifest = {
      format: 'shardscope-manifest',
      version: 2,
      conversion: { recipe: 'r', sourceFiles: { '0': { file: 'a.ckpt', size: 9, mtimeMs: 1.25 } } },
      sourceFolder: '/ckpt/src',
      destinationRanks: 4,
      strategies: {},
      options: {},
      outputs: {
        'rank_2/x2.ckpt': {
          rank: 2,
          size: 5,
          hashes: { sha256: 'c'.repeat(64), xxh3_128: 'd'.repeat(32) },
          planHash: 'p',
          sources: [],
          completedAt: 'now'
        }
      },
      run: {
        id: 'abc',
        state: 'cancelled',
        startedAt: 'then',
        host: 'h',
        pid: 1,
        requested: ['rank_2/x2.ckpt', 'rank_3/x3.ckpt']
      },
      updatedAt: 'now'
    }
    await writeManifest(dir, manifest, 'abc')
    const back = (await readManifest(dir))!
    expect({ ...back, updatedAt: 'now' }).toEqual(manifest)
    expect(manifestProgress(back)).toEqual({
      done: 1,
      destinationRanks: 4,
      lastRun: 'cancelled',
      requestedMissing: ['rank_3/x3.ckpt']
    })
  })

  it('refuses a damaged manifest with a sentence that names it', async () => {
    const dir = tempDir()
    const path = join(dir, MANIFEST_NAME)
    for (const text of [
      '{"format":"shardscope-manifest","version":2,"outputs":{"a":{"rank":0,"size":1,"hashes":{"sha256":"ABC"}}}}',
      '{"format":"shardscope-manifest","version":3,"outputs":{}}',
      'not json'
    ]) {
      writeFileSync(path, text)
      await expect(readManifest(dir)).rejects.toMatchObject({
        code: 'CORRUPT',
        message: expect.stringMatching(
          new RegExp(`^${path} is damaged \\(.+\\); delete it to start the conversion afresh\\.$`)
        )
      })
    }
  })

  it('refuses a manifest nested deeper than any manifest before parsing it', async () => {
    const dir = tempDir()
    const path = join(dir, MANIFEST_NAME)
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    writeFileSync(path, `{"format":"shardscope-manifest","version":2,"outputs":{},"x":${deep}}`)
    await expect(readManifest(dir)).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining(`${path} nests JSON more than 64 levels deep`)
    })
  })

  it('is absent from a folder without one', async () => {
    expect(await readManifest(tempDir())).toBeUndefined()
  })
})
