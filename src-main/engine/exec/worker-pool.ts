import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import { ShardscopeError } from '../errors'
import { bundledWorker } from './worker-bundle'
import type { FromWorker, ToWorker, WorkerData, WorkerError } from './worker-protocol'

type Settled = Exclude<FromWorker, { type: 'progress' }>

interface Task {
  message: ToWorker
  onProgress: (message: Extract<FromWorker, { type: 'progress' }>) => void
  resolve: (message: Settled) => void
  reject: (err: Error) => void
}

/**
 * A fixed set of worker threads that run destination ranks (and output hashing) off the main thread. Tasks
 * queue until a worker is free; one SharedArrayBuffer flag asks every worker to stop between slabs.
 */
export class WorkerPool {
  private readonly cancelFlag = new Int32Array(new SharedArrayBuffer(4))
  private readonly idle: Worker[] = []
  private readonly busy = new Map<Worker, Task>()
  private readonly queue: Task[] = []
  private closed = false

  /** `resourceLimits` caps each worker's heap; a worker that reaches it dies, fails its task and is replaced. */
  constructor(
    readonly size: number,
    private readonly resourceLimits?: ResourceLimits
  ) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn())
  }

  run(message: ToWorker, onProgress: Task['onProgress'] = () => undefined): Promise<Settled> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'))
    return new Promise((resolve, reject) => {
      this.queue.push({ message, onProgress, resolve, reject })
      this.dispatch()
    })
  }

  /** Asks running tasks to stop between slabs; queued tasks are not started. */
  cancel(): void {
    Atomics.store(this.cancelFlag, 0, 1)
    for (const task of this.queue.splice(0))
      task.reject(new ShardscopeError('CANCELLED', 'Cancelled before it started.'))
  }

  async close(): Promise<void> {
    this.closed = true
    const all = [...this.idle, ...this.busy.keys()]
    this.idle.length = 0
    await Promise.all(all.map((w) => w.terminate()))
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!
      const task = this.queue.shift()!
      this.busy.set(worker, task)
      worker.postMessage(task.message)
    }
  }

  private spawn(): Worker {
    const script = workerScript()
    const data: WorkerData = {
      cancel: this.cancelFlag.buffer as SharedArrayBuffer,
      ...(script.entry ? { entry: script.entry } : {})
    }
    // A bundled worker is plain JavaScript: it must not inherit the parent's `--import tsx` loader, which costs
    // a few hundred milliseconds per thread.
    const worker = new Worker(script.filename, {
      workerData: data,
      ...(script.entry ? {} : { execArgv: [] }),
      ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {})
    })
    worker.on('message', (message: FromWorker) => {
      const task = this.busy.get(worker)
      if (!task) return
      if (message.type === 'progress') return task.onProgress(message)
      this.busy.delete(worker)
      if (!this.closed) this.idle.push(worker)
      task.resolve(message)
      this.dispatch()
    })
    worker.on('error', (err) => this.replace(worker, err))
    worker.on('exit', (code) => {
      if (!this.closed && code !== 0)
        this.replace(worker, new Error(`a worker thread exited with code ${code}`))
    })
    return worker
  }

  /** A crashed worker fails its task and is replaced, so one bad rank cannot stall the rest. */
  private replace(worker: Worker, err: Error): void {
    const task = this.busy.get(worker)
    this.busy.delete(worker)
    const index = this.idle.indexOf(worker)
    if (index >= 0) this.idle.splice(index, 1)
    void worker.terminate()
    if (task) task.reject(err)
    if (!this.closed) {
      this.idle.push(this.spawn())
      this.dispatch()
    }
  }
}

export function errorFromWorker(error: WorkerError): Error {
  if (error.code) {
    return new ShardscopeError(error.code as ShardscopeError['code'], error.message, {
      file: error.file,
      param: error.param,
      rank: error.rank
    })
  }
  return new Error(error.message)
}

/**
 * The compiled worker next to a bundled main (Electron); from TypeScript sources a cached esbuild bundle of it,
 * or, failing that, the TypeScript worker through tsx.
 */
function workerScript(): { filename: string; entry?: string } {
  const compiled = join(__dirname, 'transform-worker.js')
  if (existsSync(compiled)) return { filename: compiled }
  const source = join(__dirname, 'transform-worker.ts')
  const bundled = bundledWorker(source)
  if (bundled) return { filename: bundled }
  return { filename: join(__dirname, 'worker-bootstrap.cjs'), entry: source }
}
