import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DestinationLock, LOCK_NAME } from '../../../src-main/engine/exec/destination-lock'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/** The pid of a process that has exited: certainly not running. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8'
  })
  return Number(child.stdout)
}

describe('DestinationLock', () => {
  it('is exclusive: a second run is refused with a sentence naming the owner, until the first releases', async () => {
    const dir = tempDir()
    const first = await DestinationLock.acquire(dir, 'aaa')
    const owner = JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8'))
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), runId: 'aaa' })
    await expect(DestinationLock.acquire(dir, 'bbb')).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringContaining(
        `Another conversion is writing to ${dir} (process ${process.pid} on this machine, started ${owner.startedAt})`
      )
    })
    await first.release()
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false)
    const second = await DestinationLock.acquire(dir, 'bbb')
    await second.release()
    // Nothing of the lock's staging is left behind.
    expect(readdirSync(dir)).toEqual([])
  })

  it('breaks a stale lock (its process is gone) and takes it', async () => {
    const dir = tempDir()
    const pid = deadPid()
    writeFileSync(
      join(dir, LOCK_NAME),
      JSON.stringify({ pid, host: hostname(), runId: 'dead', startedAt: '2020-01-01T00:00:00.000Z' })
    )
    const lock = await DestinationLock.acquire(dir, 'ccc')
    expect(JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8')).runId).toBe('ccc')
    await lock.release()
  })

  it('breaks a lock whose pid now belongs to another process (start times differ)', async () => {
    const dir = tempDir()
    writeFileSync(
      join(dir, LOCK_NAME),
      JSON.stringify({ pid: process.pid, host: hostname(), runId: 'old', startedAt: 'x', processStart: '1' })
    )
    const lock = await DestinationLock.acquire(dir, 'ddd')
    await lock.release()
  })

  it("never breaks another host's lock, and says how to remove it", async () => {
    const dir = tempDir()
    writeFileSync(
      join(dir, LOCK_NAME),
      JSON.stringify({ pid: 1, host: 'node-7.cluster', runId: 'far', startedAt: '2020-01-01T00:00:00.000Z' })
    )
    await expect(DestinationLock.acquire(dir, 'eee')).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringContaining(
        `(process 1 on host node-7.cluster, started 2020-01-01T00:00:00.000Z); Shardscope cannot tell from here whether it still runs; if it does not, delete ${join(dir, LOCK_NAME)}`
      )
    })
    expect(JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8')).runId).toBe('far')
  })

  it('does not remove a lock that is no longer its own', async () => {
    const dir = tempDir()
    const lock = await DestinationLock.acquire(dir, 'fff')
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: 1, host: 'x', runId: 'other', startedAt: 'y' }))
    await lock.release()
    expect(existsSync(join(dir, LOCK_NAME))).toBe(true)
  })
})
