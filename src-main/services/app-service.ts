import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
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
import { ioError } from '../engine/io/io-error'
import { describeFolder } from './describe-folder'
import { describeStrategy } from './describe-strategy'
import { describeRankTable } from './inspect'
import { JobRunner } from './job-runner'
import { openPath } from './open-path'
import { matchPairs } from './pair-match'
import { PlanStore } from './plan-store'
import { RecentItems } from './recent-items'
import { validateRequest } from './request-validation'
import { ensureSampleWorkspace } from './sample/sample-workspace'
import { SavedWorkspaceFile } from './saved-workspace'
import { UploadArea } from './uploads'
import { VerifyRunner } from './verify-runner'

/** What only a shell can do: native dialogs and revealing a folder in the file manager (Electron). */
export interface ShellCapabilities {
  shell: 'electron' | 'browser'
  pickPaths?(kind: 'file' | 'folder'): Promise<string[]>
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
}

export type Reply = { ok: true; result: unknown } | { ok: false; error: ApiError }

type Handlers = { [K in RequestName]: (params: RequestParams<K>) => Promise<RequestResult<K>> }

/**
 * The app's use cases behind the one contract. Both shells hand it raw requests; it validates them, runs them
 * on the engine (heavy work on worker threads) and answers with a result or an error sentence, never a stack.
 */
export class AppService {
  private readonly listeners = new Set<(event: AppEvent) => void>()
  private readonly plans = new PlanStore()
  private readonly jobs = new JobRunner((event) => this.listeners.forEach((l) => l(event)))
  private readonly verifications = new VerifyRunner((event) => this.listeners.forEach((l) => l(event)))
  private readonly uploads = new UploadArea()
  private readonly recent: RecentItems
  private readonly workspace: SavedWorkspaceFile

  constructor(
    private readonly shell: ShellCapabilities,
    private readonly options: AppServiceOptions = {}
  ) {
    this.recent = new RecentItems(options.recentFile)
    this.workspace = new SavedWorkspaceFile(
      options.workspaceFile ?? join(dirname(this.recent.file), 'workspace.json')
    )
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
    this.jobs.cancelAll()
    this.verifications.cancelAll()
    await this.plans.close()
  }

  private readonly handlers: Handlers = {
    'app.info': async () => ({
      shell: this.shell.shell,
      version: this.options.version ?? '0.1.0',
      nativeDialogs: this.shell.pickPaths !== undefined,
      home: homedir()
    }),
    'sample.open': async () => ensureSampleWorkspace(this.options.sampleCacheRoot),
    'path.open': async ({ path }) => {
      const item = await openPath(path)
      if (item.ok) this.recent.add(path, item.kind)
      return item
    },
    'path.list': async ({ path }) => listDirectory(path ?? homedir()),
    'path.pick': async ({ kind }) => ({
      paths: this.shell.pickPaths ? await this.shell.pickPaths(kind) : []
    }),
    'path.reveal': async ({ path }) => {
      if (!this.shell.reveal) return { revealed: false }
      await this.shell.reveal(path)
      return { revealed: true }
    },
    'upload.files': async ({ name, files }) => openPath(this.uploads.save(name, files)),
    'strategy.describe': async ({ path, folder }) => describeStrategy(path, folder),
    'folder.describe': async ({ path, strategy }) => describeFolder(path, strategy),
    'rankTable.describe': async ({ path }) => ({ path, ...(await describeRankTable(path)) }),
    'plan.create': async (request) => this.plans.create(request),
    'plan.param': async ({ planId, rank, param }) => this.plans.param(planId, rank, param),
    'job.start': async ({ planId, jobs, fsync }) => {
      const open = this.plans.openOptions(planId)
      return {
        jobId: this.jobs.start(this.plans.get(planId), jobs, {
          ...(fsync ? { durable: true } : {}),
          ...(open ? { open } : {})
        })
      }
    },
    'job.cancel': async ({ jobId }) => ({ cancelled: this.jobs.cancel(jobId) }),
    'recent.list': async () => this.recent.list(),
    'recent.remove': async ({ path }) => this.recent.remove(path),
    'workspace.load': async () => this.workspace.load(),
    'workspace.save': async (workspace) => ({ saved: this.workspace.save(workspace) }),
    'pair.match': async ({ strategies, folders }) => matchPairs(strategies, folders),
    'folder.verify': async ({ path }) => this.verifications.start(path),
    'verify.cancel': async ({ verifyId }) => ({ cancelled: this.verifications.cancel(verifyId) }),
    'menu.set': async ({ commands }) => {
      if (!this.shell.setMenu) return { installed: false }
      this.shell.setMenu(commands, (id) => this.listeners.forEach((l) => l({ type: 'menu.command', id })))
      return { installed: true }
    }
  }
}

async function listDirectory(path: string) {
  let names: import('node:fs').Dirent[]
  try {
    names = await readdir(path, { withFileTypes: true })
  } catch (err) {
    throw ioError(err, path, 'list folder')
  }
  const entries = await Promise.all(
    names
      .filter((e) => !e.name.startsWith('.'))
      .map(async (e) => {
        const full = join(path, e.name)
        const info = await stat(full).catch(() => undefined)
        return {
          name: e.name,
          path: full,
          kind: info?.isDirectory() ? ('dir' as const) : ('file' as const),
          size: info?.size ?? 0
        }
      })
  )
  entries.sort((a, b) =>
    a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'dir' ? -1 : 1
  )
  const parent = dirname(path)
  return { path, ...(parent !== path ? { parent } : {}), entries }
}
