import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AppEvent, RequestParams, RequestResult } from '../../api/contract'
import { ShardscopeError } from '../../engine/errors'
import { bundledWorker, NATIVE_PACKAGES } from '../../engine/exec/worker-bundle'
import { errorFromWorker } from '../../engine/exec/worker-pool'
import { describeTask } from './describe-task'
import type { FromHost, HostConfig, HostedRequest, ToHost } from './host-protocol'

interface Pending {
  name: HostedRequest
  params: unknown
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

// What V8 prints when a heap or one of its tables cannot grow; any of them means "out of memory" to a user.
const OUT_OF_MEMORY = /heap out of memory|invalid table size|invalid array length|invalid size error/i
const STDERR_KEPT = 16 * 1024

/**
 * One engine process seen from main: requests go in, replies and events come out. The process starts on
 * first use; when it dies (out of memory, an abort, a kill), every request it held is answered with a sentence
 * saying so, listeners hear of it, and the next request starts a fresh one. Main's event loop never runs
 * engine work, so the window and the browser-mode server stay responsive whatever a file holds.
 */
export class EngineProcess {
  private child?: ChildProcess
  private stderr = ''
  private nextId = 1
  private closing = false
  private readonly pending = new Map<number, Pending>()
  private readonly eventListeners = new Set<(event: AppEvent) => void>()
  private readonly exitListeners = new Set<(reason: string) => void>()

  constructor(private readonly config: HostConfig) {}

  /** The running process's id, if one is running (tests stop and kill it). */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Starts the process ahead of the first request, so that request does not wait for it. */
  warm(): void {
    if (!this.closing && !this.child) this.start()
  }

  call<K extends HostedRequest>(name: K, params: RequestParams<K>): Promise<RequestResult<K>> {
    if (this.closing) return Promise.reject(new ShardscopeError('CANCELLED', 'Shardscope is closing.'))
    const child = this.child ?? this.start()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, params, resolve: resolve as (value: unknown) => void, reject })
      child.send({ id, name, params } satisfies ToHost)
    })
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  /** Called with the reason (a clause: "it ran out of memory …") when the process dies unasked. */
  onExit(listener: (reason: string) => void): () => void {
    this.exitListeners.add(listener)
    return () => this.exitListeners.delete(listener)
  }

  async close(): Promise<void> {
    this.closing = true
    const child = this.child
    if (!child) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    await exited
  }

  private start(): ChildProcess {
    const script = hostScript()
    const child = fork(script.file, [JSON.stringify(this.config)], {
      execArgv: script.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...script.env }
    })
    this.child = child
    this.stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEPT)
    })
    child.on('message', (message: FromHost) => this.received(message))
    // A failed spawn has no process to exit; a failed send is followed by the exit that explains it.
    child.on('error', () => {
      if (child.pid === undefined) this.exited(child, null, null)
    })
    child.on('exit', (code, signal) => this.exited(child, code, signal))
    // Idle engine processes must not keep a CLI or a test run alive; pending requests hold their own promises.
    child.unref()
    child.channel?.unref()
    return child
  }

  private received(message: FromHost): void {
    if ('event' in message) {
      this.eventListeners.forEach((l) => l(message.event))
      return
    }
    const request = this.pending.get(message.id)
    if (!request) return
    this.pending.delete(message.id)
    if (message.ok) request.resolve(message.result)
    else request.reject(errorFromWorker(message.error))
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return
    this.child = undefined
    const reason = this.closing
      ? 'Shardscope is closing'
      : OUT_OF_MEMORY.test(this.stderr)
        ? 'it ran out of memory'
        : signal
          ? `it was stopped by ${signal}`
          : `it exited with code ${code}`
    for (const [id, request] of this.pending) {
      this.pending.delete(id)
      request.reject(
        this.closing
          ? new ShardscopeError('CANCELLED', 'Shardscope is closing.')
          : new ShardscopeError(
              'UNSUPPORTED',
              `The engine process stopped while ${describeTask(request.name, request.params)}: ${reason}. It has been replaced and the rest of Shardscope is unaffected.`
            )
      )
    }
    if (!this.closing) this.exitListeners.forEach((l) => l(reason))
  }
}

/**
 * The compiled entry next to a bundled main (Electron, see electron.vite.config.ts). From TypeScript sources
 * (browser mode, tests) a cached esbuild bundle of the entry: through tsx each engine process spent about 1.2 s
 * of CPU compiling the engine before it could answer, and on a 2-core machine the reader and the runner did so
 * at once, so the first strategy a user opened waited for both. Failing a bundle, the entry itself through tsx,
 * resolved from this package so the working directory does not matter, and without tsx's disk cache.
 */
function hostScript(): { file: string; execArgv: string[]; env: Record<string, string> } {
  const compiled = join(__dirname, 'engine-host.js')
  // Electron's own binary runs the script as plain Node with this set; Node ignores it.
  if (existsSync(compiled)) return { file: compiled, execArgv: [], env: { ELECTRON_RUN_AS_NODE: '1' } }
  const entry = join(__dirname, 'host-entry.ts')
  // __dirname in the bundle is the engine's exec folder, as it is for the transform workers the runner starts.
  const bundled = bundledWorker(entry, { name: 'engine-host', folder: join(__dirname, '../../engine/exec') })
  if (bundled) return { file: bundled, execArgv: [], env: { NODE_PATH: nativePackageFolders() } }
  const tsx = pathToFileURL(createRequire(__filename).resolve('tsx')).href
  // tsx's compile cache sits in the shared temporary folder, where another local user could plant code.
  return { file: entry, execArgv: ['--import', tsx], env: { TSX_DISABLE_CACHE: '1' } }
}

/**
 * Where the packages left out of the bundle (native code, see NATIVE_PACKAGES) are installed: the bundle sits
 * in the user's cache, so its plain `require('ssh2')` finds them through NODE_PATH.
 */
function nativePackageFolders(): string {
  const require = createRequire(__filename)
  const folders = NATIVE_PACKAGES.flatMap((name) => {
    try {
      return [dirname(dirname(require.resolve(`${name}/package.json`)))]
    } catch {
      return [] // an optional one (cpu-features) that is not installed
    }
  })
  return [...new Set(folders), ...(process.env.NODE_PATH ? [process.env.NODE_PATH] : [])].join(delimiter)
}
