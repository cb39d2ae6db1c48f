import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { workerFileName } from '../../../src-main/engine/exec/worker-files'
import { localWorkersGone } from '../../../src-main/services/cluster-run/local-workers'

const folders: string[] = []
afterEach(() => folders.splice(0).forEach((f) => rmSync(f, { recursive: true, force: true })))

function destinationWithWorker(pid: number, host = hostname()): string {
  const folder = mkdtempSync(join(tmpdir(), 'shardscope-local-workers-'))
  folders.push(folder)
  const progress = {
    format: 'shardscope-worker-progress',
    version: 1,
    worker: { index: 1, count: 2 },
    host,
    pid,
    state: 'cancelled',
    ranks: [1, 3],
    ranksDone: 1,
    ranksSkipped: 0,
    bytesDone: 10,
    bytesTotal: 20,
    bytesPerSecond: 0,
    updatedAt: new Date().toISOString()
  }
  writeFileSync(join(folder, workerFileName('progress', 1, 2)), JSON.stringify(progress))
  return folder
}

describe('a cluster run ends only when its workers on this machine have', () => {
  it('waits for a worker process still alive after its launcher ended, then returns', async () => {
    const worker = spawn('sleep', ['0.6'], { stdio: 'ignore' })
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    const started = Date.now()
    await localWorkersGone(destinationWithWorker(worker.pid!), 2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    await exited
  })

  it('does not wait for a dead worker, one on another host, or one of a run with another worker count', async () => {
    const gone = spawn('true')
    await new Promise((resolve) => gone.once('exit', resolve))
    const started = Date.now()
    await localWorkersGone(destinationWithWorker(gone.pid!), 2)
    await localWorkersGone(destinationWithWorker(process.pid, 'node-elsewhere'), 2)
    await localWorkersGone(destinationWithWorker(process.pid), 4)
    expect(Date.now() - started).toBeLessThan(300)
  })
})
