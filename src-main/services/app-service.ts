import { homedir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import type {
  ApiError,
  AppEvent,
  MenuCommand,
  RequestName,
  RequestParams,
  RequestResult
} from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { EngineProcess } from './engine-host/engine-process'
import { LiveTasks } from './engine-host/live-tasks'
import { MAX_REPLY_BYTES } from './engine-host/host-protocol'
import { RecentItems } from './recent-items'
import { validateRequest } from './request-validation'
import { ensureSampleWorkspace } from './sample/sample-workspace'
import { SavedWorkspaceFile } from './saved-workspace'
import { UploadArea } from './uploads'

/** What only a shell can do: native dialogs and revealing a folder in the file manager (Electron). */
export interface ShellCapabilities {
  shell: 'electron' | 'browser'
  pickPaths?(kind: 'file' | 'folder', start?: string): Promise<string[]>
  reveal?(path: string): Promise<void>
  /** Draws the application menu (Electron); `run` is called with a command's id when it is chosen. */
  setMenu?(commands: MenuCommand[], run: (id: string) => void): void
}

export interface AppServiceOptions {
  sampleCacheRoot?: string
  recentFile?: string
  /** Where the workspace is kept between sessions; next to the recent items by default. */
  workspaceFile?: string
  version?: string
  /** Heap limit of the planner, in MiB; a quarter of the machine's memory, at most 4 GiB, by default. */
  planMemoryMb?: number
  /** The largest reply an engine process may send, as JSON bytes (MAX_REPLY_BYTES by default). */
  maxReplyBytes?: number
}

export type Reply = { ok: true; result: unknown } | { ok: false; error: ApiError }

type Handlers = { [K in RequestName]: (params: RequestParams<K>) => Promise<RequestResult<K>> }

/**
 * The app's use cases behind the one contract. Both shells hand it raw requests; it validates them and answers
 * with a result or an error sentence, never a stack. Everything that reads the user's files or runs the
 * engine happens in two engine processes (engine-host/): a reader for describing and recognising inputs, a
 * runner for plans and conversions. Whatever an input does to them, this process, which serves the window or
 * the browser, keeps answering.
 */
export class AppService {
  private readonly listeners = new Set<(event: AppEvent) => void>()
  private readonly reader: EngineProcess
  private readonly runner: EngineProcess
  /** Conversions started and not yet finished: if the runner dies, each is reported failed. */
  private readonly liveJobs = new Set<string>()
  /** The last few that finished, in case a job's end is heard before its start's reply. */
  private readonly endedJobs: string[] = []
  private readonly uploads = new UploadArea()
  /** Probes and pushes: a third engine process, started when the Cluster view first describes a cluster. */
  private readonly cluster: EngineProcess
  private readonly livePushes = new LiveTasks()
  private readonly recent: RecentItems
  private readonly workspace: SavedWorkspaceFile

  constructor(
    private readonly shell: ShellCapabilities,
    private readonly options: AppServiceOptions = {}
  ) {
    this.recent = new RecentItems(options.recentFile)
    const planMemoryMb = options.planMemoryMb ?? Math.min(4096, Math.floor(totalmem() / 4 / 1048576))
    const config = { planMemoryMb, maxReplyBytes: options.maxReplyBytes ?? MAX_REPLY_BYTES }
    this.reader = new EngineProcess(config)
    this.runner = new EngineProcess(config)
    this.runner.onEvent((event) => {
      if (event.type === 'job.failed' || event.type === 'job.finished') {
        const jobId = event.type === 'job.failed' ? event.jobId : event.result.jobId
        this.liveJobs.delete(jobId)
        this.endedJobs.push(jobId)
        if (this.endedJobs.length > 64) this.endedJobs.shift()
      }
      this.emit(event)
    })
    this.runner.onExit((reason) => {
      for (const jobId of this.liveJobs)
        this.emit({
          type: 'job.failed',
          jobId,
          state: 'failed',
          message: `The conversion stopped because the engine process running it stopped (${reason}). Plan it again and start it: outputs already written and verified are kept.`
        })
      this.liveJobs.clear()
    })
    this.cluster = new EngineProcess(config)
    this.cluster.onEvent((event) => {
      if (event.type === 'cluster.finished') this.livePushes.finished(event.result.pushId)
      if (event.type === 'cluster.failed') this.livePushes.finished(event.pushId)
      this.emit(event)
    })
    this.cluster.onExit((reason) => {
      for (const pushId of this.livePushes.takeAll())
        this.emit({
          type: 'cluster.failed',
          pushId,
          state: 'failed',
          message: `The push stopped because the engine process running it stopped (${reason}). Push again to resume: files already verified on a node are not sent again.`
        })
    })
    this.workspace = new SavedWorkspaceFile(
      options.workspaceFile ?? join(dirname(this.recent.file), 'workspace.json')
    )
    this.reader.warm()
    this.runner.warm()
    void UploadArea.removeLeftovers()
  }

  /** The engine processes' ids while they run (tests stop them to prove nothing waits on them). */
  get enginePids(): { reader?: number; runner?: number; cluster?: number } {
    return { reader: this.reader.pid, runner: this.runner.pid, cluster: this.cluster.pid }
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async handle(name: unknown, params: unknown): Promise<Reply> {
    try {
      const request = validateRequest(name, params)
      const handler = this.handlers[request.name] as (p: unknown) => Promise<unknown>
      return { ok: true, result: await handler(request.params) }
    } catch (err) {
      if (isShardscopeError(err)) return { ok: false, error: { code: err.code, message: err.message } }
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: `Internal error: ${(err as Error).message}. This is a bug in Shardscope.`
        }
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.reader.close(), this.runner.close(), this.cluster.close(), this.uploads.clear()])
  }

  private emit(event: AppEvent): void {
    this.listeners.forEach((l) => l(event))
  }

  private readonly handlers: Handlers = {
    'app.info': async () => ({
      shell: this.shell.shell,
      version: this.options.version ?? '0.1.0',
      nativeDialogs: this.shell.pickPaths !== undefined,
      home: homedir()
    }),
    'sample.open': async () => ensureSampleWorkspace(this.options.sampleCacheRoot),
    'path.open': async (params) => {
      const item = await this.reader.call('path.open', params)
      if (item.ok) this.recent.add(params.path, item.kind)
      return item
    },
    'path.list': (params) => this.reader.call('path.list', params),
    'path.pick': async ({ kind, start }) => ({
      paths: this.shell.pickPaths ? await this.shell.pickPaths(kind, start) : []
    }),
    'path.reveal': async ({ path }) => {
      if (!this.shell.reveal) return { revealed: false }
      await this.shell.reveal(path)
      return { revealed: true }
    },
    'upload.files': async ({ name, files }) =>
      this.reader.call('path.open', { path: await this.uploads.save(name, files) }),
    'strategy.describe': (params) => this.reader.call('strategy.describe', params),
    'folder.describe': (params) => this.reader.call('folder.describe', params),
    'rankTable.describe': (params) => this.reader.call('rankTable.describe', params),
    'plan.create': (params) => this.runner.call('plan.create', params),
    'plan.param': (params) => this.runner.call('plan.param', params),
    'job.start': async (params) => {
      const started = await this.runner.call('job.start', params)
      if (!this.endedJobs.includes(started.jobId)) this.liveJobs.add(started.jobId)
      return started
    },
    'job.cancel': (params) => this.runner.call('job.cancel', params),
    'recent.list': async () => this.recent.list(),
    'cluster.describe': (request) => {
      // A probe or a push usually follows: its process starts now, while the reader describes.
      this.cluster.warm()
      return this.reader.call('cluster.describe', request)
    },
    'cluster.probe': (request) => this.cluster.call('cluster.probe', request),
    'cluster.push': async (request) => {
      const started = await this.cluster.call('cluster.push', request)
      this.livePushes.started(started.pushId)
      return started
    },
    'cluster.cancel': (params) => this.cluster.call('cluster.cancel', params),
    'cluster.trustHost': (params) => this.cluster.call('cluster.trustHost', params),
    'recent.remove': async ({ path }) => this.recent.remove(path),
    'workspace.load': async () => this.workspace.load(),
    'workspace.save': async (workspace) => ({ saved: this.workspace.save(workspace) }),
    'pair.match': (params) => this.reader.call('pair.match', params),
    'folder.verify': (params) => this.runner.call('folder.verify', params),
    'verify.cancel': (params) => this.runner.call('verify.cancel', params),
    'clusterRun.launch': (params) => this.runner.call('clusterRun.launch', params),
    'clusterRun.progress': (params) => this.runner.call('clusterRun.progress', params),
    'clusterRun.cancel': (params) => this.runner.call('clusterRun.cancel', params),
    'menu.set': async ({ commands }) => {
      if (!this.shell.setMenu) return { installed: false }
      this.shell.setMenu(commands, (id) => this.emit({ type: 'menu.command', id }))
      return { installed: true }
    }
  }
}
