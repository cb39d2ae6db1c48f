import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppService } from '../../../src-main/services/app-service'
import { UploadArea } from '../../../src-main/services/uploads'
import { oracle } from '../../helpers/fixtures'
import { useAppService } from '../../helpers/app-service'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const newService = useAppService(tempDir)

const data = Buffer.from('not a checkpoint').toString('base64')
const upload = (s: AppService, ...relativePaths: string[]) =>
  s.handle('upload.files', {
    name: 'drop',
    files: relativePaths.map((relativePath) => ({ relativePath, data }))
  })

describe('uploads that the file system cannot hold are bad input, in words', () => {
  it.each([
    ['a name over 255 bytes', ['x'.repeat(256)], 'holds a name longer than 255 bytes'],
    ['a name over 255 bytes in UTF-8', ['é'.repeat(128)], 'holds a name longer than 255 bytes'],
    [
      'a path longer than the system allows',
      [[...Array.from({ length: 20 }, () => 'd'.repeat(200)), 'f'.repeat(70)].join('/')],
      'holds a path too long to store'
    ],
    ['the same file twice', ['a/b.json', 'a/b.json'], 'lists a/b.json twice'],
    ['a file that is also a folder', ['a/b', 'a/b/c.json'], 'holds a/b both as a file and as a folder']
  ])('%s', async (_what, paths, message) => {
    const reply = await upload(newService(), ...paths)
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    if (!reply.ok) {
      expect(reply.error.message).toContain(message)
      expect(reply.error.message).not.toMatch(/internal|bug/i)
    }
  })
})

describe('uploads are removed when the session ends', () => {
  it('removes the session upload folder on close', async () => {
    const s = newService()
    const bytes = readFileSync(oracle('mp2x4_to_mp4', 'src_strategy.ckpt')).toString('base64')
    const reply = await s.handle('upload.files', {
      name: 'src_strategy.ckpt',
      files: [{ relativePath: 'src_strategy.ckpt', data: bytes }]
    })
    expect(reply).toMatchObject({ ok: true, result: { ok: true, kind: 'strategy' } })
    const saved = (reply as { result: { path: string } }).result.path
    expect(readFileSync(saved)).toEqual(readFileSync(oracle('mp2x4_to_mp4', 'src_strategy.ckpt')))
    await s.close()
    expect(existsSync(saved)).toBe(false)
    expect(existsSync(dirname(dirname(saved)))).toBe(false)
  })

  it('removes leftovers of sessions whose process died, and nothing else', async () => {
    const parent = tempDir()
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8'
    })
    const session = (name: string, owner?: unknown) => {
      const dir = join(parent, name)
      mkdirSync(join(dir, 'drop-1'), { recursive: true })
      writeFileSync(join(dir, 'drop-1', 'strategy.ckpt'), 'x')
      if (owner !== undefined) writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner))
      return dir
    }
    const gone = session('shardscope-uploads-dead', { pid: Number(dead.stdout) })
    const alive = session('shardscope-uploads-alive', { pid: process.pid })
    const unknown = session('shardscope-uploads-unknown')
    const unrelated = session('other-dead', { pid: Number(dead.stdout) })
    symlinkSync(gone, join(parent, 'shardscope-uploads-link'))
    expect(await UploadArea.removeLeftovers(parent)).toEqual([gone])
    expect([gone, alive, unknown, unrelated].map((d) => existsSync(d))).toEqual([false, true, true, true])
  })
})
