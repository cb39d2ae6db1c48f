import { parentPort, workerData } from 'node:worker_threads'
import { isShardscopeError } from '../errors'
import { hashFile } from '../io/output-hashes'
import { allocateBuffers } from './assemble-param'
import { executeRank } from './execute-rank'
import { loadKernels } from './kernels-select'
import { readStrategyInput } from '../formats/strategy/strategy-file'
import { indexBatch } from '../plan/index-batch'
import { planConversion, type PlanInput } from '../plan/plan-transform'
import { rankJobFrom } from '../plan/rank-build'
import type { FromWorker, PlanJob, ToWorker, WorkerData, WorkerError } from './worker-protocol'

// Progress is sent at most this often; the main side aggregates and renders it.
const PROGRESS_INTERVAL_MS = 100

const data = workerData as WorkerData
const cancelFlag = new Int32Array(data.cancel)
const kernels = loadKernels()
const buffers = allocateBuffers()
const port = parentPort!
const send = (message: FromWorker) => port.postMessage(message)

port.on('message', (message: ToWorker) => {
  void handle(message)
})

async function handle(message: ToWorker): Promise<void> {
  const rank = message.type === 'run' ? message.job.outline.rank : message.rank
  try {
    if (message.type === 'hash') {
      const cancelled = () => Atomics.load(cancelFlag, 0) !== 0
      send({ type: 'hashed', rank, ...(await hashFile(message.path, message.algorithms, cancelled)) })
      return
    }
    if (message.type === 'index') {
      send({ type: 'indexed', rank, batch: await indexBatch(message.job) })
      return
    }
    if (message.type === 'plan') {
      send({ type: 'planned', rank, plan: await planFromPaths(message.job) })
      return
    }
    let last = 0
    const result = await executeRank(await rankJobFrom(message.job), {
      kernels,
      buffers,
      cancelled: () => Atomics.load(cancelFlag, 0) !== 0,
      onProgress: (bytesDone, paramsDone) => {
        const now = Date.now()
        if (now - last < PROGRESS_INTERVAL_MS) return
        last = now
        send({ type: 'progress', rank, bytesDone, paramsDone })
      }
    })
    send({ type: 'done', result })
  } catch (err) {
    send({ type: 'failed', rank, error: describe(err) })
  }
}

async function planFromPaths(job: PlanJob) {
  const input: PlanInput = {
    sourceFolder: job.sourceFolder,
    destinationFolder: job.destinationFolder,
    options: job.options
  }
  if (job.sourceStrategy) input.sourceStrategy = await readStrategyInput(job.sourceStrategy)
  if (job.destinationStrategy) input.destinationStrategy = await readStrategyInput(job.destinationStrategy)
  if (job.ranks) input.ranks = job.ranks
  if (job.open) input.open = job.open
  if (job.overwrite) input.overwrite = true
  if (job.verifyCrc) input.verifyCrc = true
  return planConversion(input)
}

function describe(err: unknown): WorkerError {
  if (isShardscopeError(err))
    return { code: err.code, message: err.message, file: err.file, param: err.param, rank: err.rank }
  return { message: err instanceof Error ? err.message : String(err) }
}
