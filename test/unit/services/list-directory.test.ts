import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listDirectory, MAX_LISTED_ENTRIES } from '../../../src-main/services/list-directory'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

describe('folder listings for the browser-mode file picker', () => {
  it('lists folders first, in natural order, without hidden entries', async () => {
    const dir = tempDir()
    for (const name of ['rank_10', 'rank_2', '.hidden']) mkdirSync(join(dir, name))
    for (const name of ['b.ckpt', 'a.json']) writeFileSync(join(dir, name), 'xx')
    const listing = await listDirectory(dir)
    expect(listing.entries.map((e) => [e.name, e.kind])).toEqual([
      ['rank_2', 'dir'],
      ['rank_10', 'dir'],
      ['a.json', 'file'],
      ['b.ckpt', 'file']
    ])
    expect(listing.truncated).toBeUndefined()
    expect(listing.hidden).toBe(1)
  })

  it('tells an empty folder from one holding only hidden entries', async () => {
    const empty = tempDir()
    expect(await listDirectory(empty)).toMatchObject({ entries: [], hidden: 0 })
    const dotted = tempDir()
    for (const name of ['.git', '.cache']) mkdirSync(join(dotted, name))
    expect(await listDirectory(dotted)).toMatchObject({ entries: [], hidden: 2 })
  })

  it('stops at its cap on a huge folder and says the listing is cut short', async () => {
    const dir = tempDir()
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `f${i}`), '')
    const listing = await listDirectory(dir, 100)
    expect(listing.entries).toHaveLength(100)
    expect(listing.truncated).toBe(true)
    expect(MAX_LISTED_ENTRIES).toBeLessThanOrEqual(10_000)
  })

  it('says a path names a file rather than failing, so a typed file can be chosen', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'strategy.ckpt'), 'xx')
    expect(await listDirectory(join(dir, 'strategy.ckpt'))).toEqual({
      path: join(dir, 'strategy.ckpt'),
      parent: dir,
      entries: [],
      hidden: 0,
      file: true
    })
  })

  it('names the folder it cannot list', async () => {
    await expect(listDirectory('/no/such/folder')).rejects.toThrow(
      'Cannot list folder /no/such/folder: it does not exist.'
    )
  })
})
