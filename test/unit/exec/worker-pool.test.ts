import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'

/** Stands in for node:worker_threads' Worker, so a test can make one die exactly as Node reports it. */
class FakeWorker extends EventEmitter {
  static made: FakeWorker[] = []
  posted: unknown[] = []
  terminated = false
  constructor() {
    super()
    FakeWorker.made.push(this)
  }
  postMessage(message: unknown) {
    this.posted.push(message)
  }
  async terminate() {
    this.terminated = true
    return 1
  }
}

vi.mock('node:worker_threads', async (original) => ({
  ...(await original<typeof import('node:worker_threads')>()),
  Worker: FakeWorker
}))

import type { ToWorker } from '../../../src-main/engine/exec/worker-protocol'

const { WorkerPool } = await import('../../../src-main/engine/exec/worker-pool')

const hash: ToWorker = { type: 'hash', rank: 0, path: '/nowhere', algorithms: [] }

describe('WorkerPool', () => {
  it('replaces a dying worker once, though Node reports its death twice (error, then exit)', async () => {
    FakeWorker.made = []
    const pool = new WorkerPool(2)
    expect(FakeWorker.made).toHaveLength(2)
    const running = pool.run(hash)
    const dying = FakeWorker.made.find((w) => w.posted.length === 1)!
    const failure = new Error('out of memory')
    dying.emit('error', failure)
    dying.emit('exit', 1)
    await expect(running).rejects.toBe(failure)
    expect(dying.terminated).toBe(true)
    expect(FakeWorker.made).toHaveLength(3)
    expect(pool.threads).toBe(2)
    await pool.close()
  })

  it('replaces a worker that ends by itself, failing its task instead of leaving it waiting', async () => {
    FakeWorker.made = []
    const pool = new WorkerPool(1)
    const running = pool.run(hash)
    FakeWorker.made[0]!.emit('exit', 0)
    await expect(running).rejects.toThrow('a worker thread exited with code 0')
    expect(FakeWorker.made).toHaveLength(2)
    expect(pool.threads).toBe(1)
    await pool.close()
  })

  it('stops replacing workers that die before they ever answer, and fails what waits', async () => {
    FakeWorker.made = []
    const pool = new WorkerPool(1)
    const tasks = [pool.run(hash), pool.run(hash), pool.run(hash), pool.run(hash)]
    for (let i = 0; i < 3; i++) FakeWorker.made[i]!.emit('error', new Error('cannot load the bundle'))
    for (const task of tasks.slice(0, 3)) await expect(task).rejects.toThrow('cannot load the bundle')
    await expect(tasks[3]).rejects.toThrow('worker threads die before they start (cannot load the bundle)')
    await expect(pool.run(hash)).rejects.toThrow('worker threads die before they start')
    expect(FakeWorker.made).toHaveLength(3)
    await pool.close()
  })

  it('does not replace workers it terminates when closing', async () => {
    FakeWorker.made = []
    const pool = new WorkerPool(2)
    await pool.close()
    for (const worker of FakeWorker.made) worker.emit('exit', 1)
    expect(FakeWorker.made).toHaveLength(2)
  })
})
