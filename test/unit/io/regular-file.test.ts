import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sniffPath } from '../../../src-main/engine/formats/sniff'
import { readStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import { LocalFileSource } from '../../../src-main/engine/io/local-file'

// A named pipe blocks a reader until someone writes to it: each of these must refuse it at once instead.
describe('paths that name a named pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-fifo-'))
  const fifo = join(dir, 'rank_0.ckpt')
  execFileSync('mkfifo', [fifo])
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('are refused by the file reader, by name, without waiting for a writer', async () => {
    await expect(LocalFileSource.open(fifo)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      file: fifo,
      message: `${fifo} is a named pipe (FIFO), not a regular file; Shardscope reads checkpoints and strategies only from files.`
    })
  })

  it('are refused when sniffed (inspect, the app opening a path) and when read as a strategy', async () => {
    await expect(sniffPath(fifo)).rejects.toMatchObject({ code: 'BAD_INPUT', file: fifo })
    await expect(readStrategyFile(fifo)).rejects.toMatchObject({ code: 'BAD_INPUT', file: fifo })
  })

  it('leave character devices refused too, and regular files readable', async () => {
    await expect(LocalFileSource.open('/dev/zero')).rejects.toThrow('/dev/zero is a character device')
    const source = await LocalFileSource.open(__filename)
    expect(source.size).toBeGreaterThan(0)
    await source.close()
  })
})
