import { constants } from 'node:fs'
import { open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { newWriterTag, tempPathFor } from '../io/byte-sink'
import type { ManifestShare } from './destination-scope'
import type { TransformProgress } from './transform-progress'
import { parseWorkerFile, workerFileName } from './worker-files'

export type WorkerState = 'planning' | 'running' | 'complete' | 'failed' | 'cancelled'

/**
 * `.shardscope-progress.worker-<i>-of-<n>.json` in the destination: how far one worker is, rewritten atomically
 * about once a second. Anyone who can read the folder (the app, a user on the login node) sees every worker's
 * progress without talking to the workers.
 */
export interface WorkerProgressFile {
  format: 'shardscope-worker-progress'
  version: 1
  worker: { index: number; count: number }
  server?: string
  host: string
  pid: number
  state: WorkerState
  ranks: number[]
  ranksDone: number
  ranksSkipped: number
  bytesDone: number
  bytesTotal: number
  bytesPerSecond: number
  etaSeconds?: number
  /** Why it failed or stopped, in words. */
  message?: string
  updatedAt: string
}

const INTERVAL_MS = 1000
const MAX_PROGRESS_BYTES = 64 * 1024

/** Keeps one worker's progress file up to date; writes are serialised and at most one a second. */
export class WorkerProgressWriter {
  private readonly path: string
  private readonly tag = newWriterTag()
  private last = 0
  private writing = Promise.resolve()
  private latest?: TransformProgress

  /** The share's ranks (and server) once known: a balanced worker learns them only from its plan. */
  share: Pick<ManifestShare, 'index' | 'count' | 'ranks' | 'server'>

  constructor(
    private readonly folder: string,
    share: Pick<ManifestShare, 'index' | 'count' | 'ranks' | 'server'>
  ) {
    this.share = share
    this.path = join(folder, workerFileName('progress', share.index, share.count))
  }

  /** Says the worker is planning (before its share's destination is known to be writable, it is not created). */
  planning(): void {
    this.write('planning')
  }

  update(progress: TransformProgress): void {
    this.latest = progress
    const now = Date.now()
    if (now - this.last < INTERVAL_MS) return
    this.last = now
    this.write('running')
  }

  /** The last word: complete, failed or cancelled. Never creates the destination (it may be refused). */
  async finish(state: WorkerState, message?: string): Promise<void> {
    this.write(state, message)
    await this.writing
  }

  private write(state: WorkerState, message?: string): void {
    const p = this.latest
    const record: WorkerProgressFile = {
      format: 'shardscope-worker-progress',
      version: 1,
      worker: { index: this.share.index, count: this.share.count },
      ...(this.share.server !== undefined ? { server: this.share.server } : {}),
      host: hostname(),
      pid: process.pid,
      state,
      ranks: this.share.ranks,
      ranksDone: p?.ranksDone ?? 0,
      ranksSkipped: p?.ranksSkipped ?? 0,
      bytesDone: p?.bytesDone ?? 0,
      bytesTotal: p?.bytesTotal ?? 0,
      bytesPerSecond: p?.bytesPerSecond ?? 0,
      ...(p?.etaSeconds !== undefined && state === 'running' ? { etaSeconds: p.etaSeconds } : {}),
      ...(message ? { message } : {}),
      updatedAt: new Date().toISOString()
    }
    this.writing = this.writing.then(() => this.replace(JSON.stringify(record, null, 2) + '\n'))
  }

  private async replace(text: string): Promise<void> {
    const temp = tempPathFor(this.path, this.tag)
    try {
      if (!(await stat(this.folder)).isDirectory()) return
      await writeFile(temp, text, { flag: 'w' })
      await rename(temp, this.path)
    } catch {
      // Progress is a courtesy: a full disk or a vanished folder must not fail the conversion itself.
      await unlink(temp).catch(() => undefined)
    }
  }
}

/** Every worker's progress file in a folder, by worker index; unreadable or malformed ones are left out. */
export async function readWorkerProgress(folder: string): Promise<WorkerProgressFile[]> {
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return []
  }
  const files: WorkerProgressFile[] = []
  for (const name of names) {
    const file = parseWorkerFile(name)
    if (file?.kind !== 'progress') continue
    const record = await readSmallJson(join(folder, name))
    if (isProgress(record) && record.worker.index === file.index && record.worker.count === file.count)
      files.push(record)
  }
  return files.sort((a, b) => a.worker.count - b.worker.count || a.worker.index - b.worker.index)
}

/** Reads a regular file of bounded size; a FIFO or device planted under the name is not waited on. */
async function readSmallJson(path: string): Promise<unknown> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const info = await handle.stat()
    if (!info.isFile() || info.size > MAX_PROGRESS_BYTES) return undefined
    const buffer = Buffer.alloc(info.size)
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0)
    return JSON.parse(buffer.subarray(0, bytesRead).toString('utf8'))
  } catch {
    return undefined
  } finally {
    await handle?.close()
  }
}

const STATES: readonly string[] = ['planning', 'running', 'complete', 'failed', 'cancelled']

function isProgress(value: unknown): value is WorkerProgressFile {
  const v = value as WorkerProgressFile
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0
  return (
    typeof v === 'object' &&
    v !== null &&
    v.format === 'shardscope-worker-progress' &&
    v.version === 1 &&
    count(v.worker?.index) &&
    count(v.worker?.count) &&
    STATES.includes(v.state) &&
    Array.isArray(v.ranks) &&
    v.ranks.every(count) &&
    [v.ranksDone, v.ranksSkipped, v.bytesDone, v.bytesTotal, v.pid].every(count) &&
    typeof v.bytesPerSecond === 'number' &&
    typeof v.host === 'string' &&
    typeof v.updatedAt === 'string' &&
    (v.message === undefined || typeof v.message === 'string') &&
    (v.server === undefined || typeof v.server === 'string')
  )
}
