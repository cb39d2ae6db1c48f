import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import { ShardscopeError } from '../errors'
import { bundledWorker } from './worker-bundle'
import type { FromWorker, ToWorker, WorkerData, WorkerError } from './worker-protocol'

type Settled = Exclude<FromWorker, { type: 'progress' }>

const MAX_SILENT_DEATHS = 3

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
  /** Workers that died and were replaced: 'error' and then 'exit' arrive for one death, it is replaced once. */
  private readonly retired = new WeakSet<Worker>()
  /** Workers that have answered at least once: one that dies before it ever does may not be able to start. */
  private readonly answered = new WeakSet<Worker>()
  private silentDeaths = 0
  private broken?: Error
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
    if (this.broken) return Promise.reject(this.broken)
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

  /** Worker threads the pool holds now: `size` while it is open (fewer only once workers cannot start). */
  get threads(): number {
    return this.idle.length + this.busy.size
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
      this.answered.add(worker)
      this.silentDeaths = 0
      const task = this.busy.get(worker)
      if (!task) return
      if (message.type === 'progress') return task.onProgress(message)
      this.busy.delete(worker)
      if (!this.closed) this.idle.push(worker)
      task.resolve(message)
      this.dispatch()
    })
    worker.on('error', (err) => this.replace(worker, err))
    // Also a worker that ends by itself (exit code 0) is gone: its task would never settle.
    worker.on('exit', (code) => this.replace(worker, new Error(`a worker thread exited with code ${code}`)))
    return worker
  }

  /**
   * A crashed worker fails its task and is replaced, so one bad rank cannot stall the rest. The first report of
   * a death (its 'error', whose message says why) does it; the 'exit' after it finds the worker retired.
   */
  private replace(worker: Worker, err: Error): void {
    if (this.closed || this.retired.has(worker)) return
    this.retired.add(worker)
    const task = this.busy.get(worker)
    this.busy.delete(worker)
    const index = this.idle.indexOf(worker)
    if (index >= 0) this.idle.splice(index, 1)
    void worker.terminate()
    if (task) task.reject(err)
    // Workers that keep dying before their first answer cannot start here (a broken install): stop replacing them
    // rather than spin, and fail what waits.
    if (!this.answered.has(worker) && ++this.silentDeaths >= MAX_SILENT_DEATHS) {
      this.broken = new Error(`worker threads die before they start (${err.message})`)
      for (const queued of this.queue.splice(0)) queued.reject(this.broken)
      return
    }
    this.idle.push(this.spawn())
    this.dispatch()
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
