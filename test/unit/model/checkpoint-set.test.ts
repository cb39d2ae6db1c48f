import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanCheckpointFolder } from '../../../src-main/engine/model/checkpoint-set'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

function folder(layout: Record<string, string[]>): string {
  const root = tempDir()
  for (const [dir, files] of Object.entries(layout)) {
    mkdirSync(join(root, dir), { recursive: true })
    for (const f of files) writeFileSync(join(root, dir, f), 'x'.repeat(10))
  }
  return root
}

describe('scanCheckpointFolder picks files the way transform_checkpoints does', () => {
  it('takes the lexicographically last .ckpt and says so when there are several', async () => {
    const root = folder({ rank_0: ['net-2_1.ckpt', 'net-10_1.ckpt'], rank_1: ['net-1_1.ckpt'] })
    const set = await scanCheckpointFolder(root)
    expect(set.ranks.map((r) => [r.rank, r.file, r.candidates])).toEqual([
      [0, 'net-2_1.ckpt', ['net-10_1.ckpt', 'net-2_1.ckpt']],
      [1, 'net-1_1.ckpt', ['net-1_1.ckpt']]
    ])
    expect(set.problems).toEqual([
      {
        severity: 'warning',
        message:
          'rank_0/ holds 2 ckpt files; using net-2_1.ckpt, the last in name order, as MindSpore picks it (note that "-10_" sorts before "-2_").'
      }
    ])
    expect([set.format, set.totalBytes, set.missingRanks]).toEqual(['ckpt', 20, []])
  })

  it('takes the safetensors file with the largest epoch and step', async () => {
    const root = folder({ rank_0: ['net-2_9.safetensors', 'net-10_1.safetensors', 'net-10_3.safetensors'] })
    const set = await scanCheckpointFolder(root)
    expect(set.ranks[0]!.file).toBe('net-10_3.safetensors')
    expect(set.format).toBe('safetensors')
  })

  it('lists missing ranks, empty rank folders and mixed formats in words', async () => {
    const root = folder({ rank_0: ['a.ckpt'], rank_2: [], rank_3: ['b.safetensors'], notes: ['readme.txt'] })
    const set = await scanCheckpointFolder(root)
    expect(set.ranks.map((r) => r.rank)).toEqual([0, 3])
    expect(set.missingRanks).toEqual([1, 2])
    expect(set.format).toBe('mixed')
    expect(set.problems).toEqual([
      { severity: 'error', message: 'rank_2/ holds no .ckpt or .safetensors file.' },
      { severity: 'error', message: 'Missing ranks: 1, 2.' },
      {
        severity: 'error',
        message: 'The folder mixes formats: .ckpt for rank 0 and .safetensors for rank 3.'
      }
    ])
  })

  it('prefers .ckpt when a rank folder holds both, and says so', async () => {
    const set = await scanCheckpointFolder(folder({ rank_0: ['a.ckpt', 'a.safetensors'] }))
    expect(set.ranks[0]!.format).toBe('ckpt')
    expect(set.problems[0]).toEqual({
      severity: 'warning',
      message: 'rank_0/ holds both .ckpt and .safetensors files; the .ckpt file is used.'
    })
  })

  it('looks only at the ranks asked for', async () => {
    const root = folder({ rank_4: ['a.ckpt'], rank_6: ['b.ckpt'] })
    const set = await scanCheckpointFolder(root, [4, 5])
    expect(set.ranks.map((r) => r.rank)).toEqual([4])
    expect(set.missingRanks).toEqual([5])
  })

  it('refuses a folder without rank_N subfolders', async () => {
    const root = folder({ checkpoints: ['a.ckpt'] })
    await expect(scanCheckpointFolder(root)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `${root} holds no rank_N folders; a distributed checkpoint folder has one rank_<id>/ subfolder per rank.`
    })
  })

  it('follows symbolic links to rank folders and rank files, as MindSpore does, and reports the real paths', async () => {
    const mountA = folder({ rank_0: ['a.ckpt'] })
    const mountB = folder({ store: ['b.ckpt'] })
    const root = folder({ rank_2: [] })
    symlinkSync(join(mountA, 'rank_0'), join(root, 'rank_0'))
    mkdirSync(join(root, 'rank_1'))
    symlinkSync(join(mountB, 'store', 'b.ckpt'), join(root, 'rank_1', 'b.ckpt'))
    writeFileSync(join(root, 'rank_2', 'c.ckpt'), 'xx')
    // A dangling link is no rank folder.
    symlinkSync(join(mountA, 'gone'), join(root, 'rank_3'))
    const set = await scanCheckpointFolder(root)
    expect(set.ranks.map((r) => [r.rank, r.path, r.realPath])).toEqual([
      [0, join(root, 'rank_0', 'a.ckpt'), join(realpathSync(mountA), 'rank_0', 'a.ckpt')],
      [1, join(root, 'rank_1', 'b.ckpt'), join(realpathSync(mountB), 'store', 'b.ckpt')],
      [2, join(root, 'rank_2', 'c.ckpt'), undefined]
    ])
    expect(set.ranks[0]!.identity.size).toBe(10)
    expect(set.problems).toEqual([])
  })

  it('reports a huge gap in rank ids as a range, without listing or allocating it', async () => {
    const root = folder({ rank_0: ['a.ckpt'], rank_99999999: ['b.ckpt'], rank_5: ['c.ckpt'] })
    const set = await scanCheckpointFolder(root)
    expect(set.missingRanges).toEqual([
      [1, 4],
      [6, 99999998]
    ])
    expect(set.missingRanks).toHaveLength(4096)
    expect(set.missingRanks.slice(0, 5)).toEqual([1, 2, 3, 4, 6])
    expect(set.problems).toEqual([{ severity: 'error', message: 'Missing ranks: 1–4, 6–99999998.' }])
  })

  it('ignores rank ids beyond what MindSpore can number, with a warning', async () => {
    const set = await scanCheckpointFolder(
      folder({ rank_0: ['a.ckpt'], rank_99999999999999999999: ['b.ckpt'] })
    )
    expect(set.ranks.map((r) => r.rank)).toEqual([0])
    expect(set.problems).toEqual([
      { severity: 'warning', message: 'rank_99999999999999999999/ is ignored: rank ids go up to 2147483647.' }
    ])
  })

  it('names a folder that does not exist', async () => {
    await expect(scanCheckpointFolder('/nonexistent/ckpts')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Cannot read checkpoint folder /nonexistent/ckpts: it does not exist.'
    })
  })
})
