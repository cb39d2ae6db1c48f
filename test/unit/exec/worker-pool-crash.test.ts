import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WorkerPool } from '../../../src-main/engine/exec/worker-pool'
import type { ToWorker } from '../../../src-main/engine/exec/worker-protocol'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

describe('a real worker thread that crashes', () => {
  it('fails its task with the crash, and the pool goes on with one worker in its place', async () => {
    const pool = new WorkerPool(1)
    try {
      const file = join(tempDir(), 'data.bin')
      writeFileSync(file, 'abc')
      const ok: ToWorker = { type: 'hash', rank: 0, path: file, algorithms: ['xxh3_128'] }
      expect(await pool.run(ok)).toMatchObject({ type: 'hashed', size: 3 })
      // A message the worker cannot read throws outside its error handling: an uncaught error ends the thread.
      await expect(pool.run({ type: 'run' } as unknown as ToWorker)).rejects.toThrow(TypeError)
      expect(pool.threads).toBe(1)
      expect(await pool.run(ok)).toMatchObject({ type: 'hashed', size: 3 })
      expect(pool.threads).toBe(1)
    } finally {
      await pool.close()
    }
  })
})
