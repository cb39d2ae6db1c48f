import { hostname } from 'node:os'
import { readWorkerProgress } from '../../engine/exec/worker-progress'
import { isProcessAlive } from '../../engine/util/process-alive'

const PATIENCE_MS = 10_000
const POLL_MS = 100

/**
 * Waits (at most 10 s) until no worker of this run that said it runs on this machine is still alive. mpirun can
 * end before the workers it signalled do: a worker finishing its cancel still holds its share's lock, so a run
 * started again the moment mpirun ended found that share busy and failed. Workers on other hosts cannot be
 * seen from here; their own lock keeps them from racing.
 */
export async function localWorkersGone(destination: string, workers: number): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS
  const here = hostname()
  for (;;) {
    const files = await readWorkerProgress(destination)
    const alive = files.filter((f) => f.worker.count === workers && f.host === here && isProcessAlive(f.pid))
    if (alive.length === 0 || Date.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
