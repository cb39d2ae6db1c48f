import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { tempPathFor } from '../io/byte-sink'
import { ioError } from '../io/io-error'
import { isProcessAlive } from '../util/process-alive'

/** The lock file in a destination folder while a conversion writes into it. */
export const LOCK_NAME = '.shardscope.lock'

export interface LockOwner {
  pid: number
  host: string
  runId: string
  startedAt: string
  /** The owner process's start time as the kernel counts it (Linux), to tell a reused pid from the owner. */
  processStart?: string
}

const ATTEMPTS = 5

/**
 * An exclusive lock on a destination folder for one conversion run. The lock file is born complete (written
 * aside, then hard-linked into place, which fails if it exists), so a reader never sees a half-written owner.
 * A lock whose owner is gone (same host, that process no longer runs) is stale and is broken; any other lock
 * refuses the run with a sentence that names its owner.
 */
export class DestinationLock {
  private constructor(
    readonly path: string,
    readonly owner: LockOwner
  ) {}

  /** `name`: the lock of the part of the folder the run owns (a worker's share has its own, see worker-files.ts). */
  static async acquire(folder: string, runId: string, name = LOCK_NAME): Promise<DestinationLock> {
    const path = join(folder, name)
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      runId,
      startedAt: new Date().toISOString(),
      ...optional('processStart', await processStartOf(process.pid))
    }
    const staging = tempPathFor(path, runId)
    try {
      await writeFile(staging, JSON.stringify(owner) + '\n', { flag: 'wx' })
    } catch (err) {
      throw ioError(err, staging, 'create the lock file')
    }
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (await place(staging, path, owner)) return new DestinationLock(path, owner)
        const current = await readOwner(path)
        if (current === 'absent') continue
        if (current === 'unreadable' || !(await isStale(current))) throw busy(folder, path, current)
        await breakStale(path, current, runId)
      }
      throw busy(folder, path, 'unreadable')
    } finally {
      await unlink(staging).catch(() => undefined)
    }
  }

  /** Removes the lock if it is still this run's. */
  async release(): Promise<void> {
    const current = await readOwner(this.path)
    if (typeof current === 'object' && current.runId === this.owner.runId)
      await unlink(this.path).catch(() => undefined)
  }
}

/** Why a run could not lock `folder` now (a sentence naming the owner), or undefined if it could. */
export async function lockHolder(folder: string, name = LOCK_NAME): Promise<string | undefined> {
  const path = join(folder, name)
  const owner = await readOwner(path)
  if (owner === 'absent' || (owner !== 'unreadable' && (await isStale(owner)))) return undefined
  return busy(folder, path, owner).message
}

/** Creates the lock atomically: a hard link where the file system has them, O_EXCL otherwise. */
async function place(staging: string, path: string, owner: LockOwner): Promise<boolean> {
  try {
    await link(staging, path)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw ioError(err, path, 'lock')
  }
  try {
    await writeFile(path, JSON.stringify(owner) + '\n', { flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw ioError(err, path, 'lock')
  }
}

export async function readOwner(path: string): Promise<LockOwner | 'absent' | 'unreadable'> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    return 'unreadable'
  }
  try {
    const owner = JSON.parse(text) as LockOwner
    if (!Number.isSafeInteger(owner.pid) || typeof owner.host !== 'string' || typeof owner.runId !== 'string')
      return 'unreadable'
    return owner
  } catch {
    return 'unreadable'
  }
}

/** Only a lock of this host can be judged: its process is gone, or the pid now belongs to another process. */
async function isStale(owner: LockOwner): Promise<boolean> {
  if (owner.host !== hostname()) return false
  if (!isProcessAlive(owner.pid)) return true
  if (owner.processStart === undefined) return false
  const start = await processStartOf(owner.pid)
  return start !== undefined && start !== owner.processStart
}

/**
 * Moves the stale lock aside and removes it. Between reading it and moving it another run may have broken it
 * and locked: then the moved file is that run's live lock, and it is put back.
 */
async function breakStale(path: string, stale: LockOwner, runId: string): Promise<void> {
  const aside = tempPathFor(path, `${runId}stale`)
  try {
    await rename(path, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw ioError(err, path, 'remove the stale lock')
  }
  const moved = await readOwner(aside)
  if (typeof moved === 'object' && moved.runId !== stale.runId) await link(aside, path).catch(() => undefined)
  await unlink(aside).catch(() => undefined)
}

function busy(folder: string, path: string, owner: LockOwner | 'unreadable'): ShardscopeError {
  if (owner === 'unreadable')
    return new ShardscopeError(
      'BUSY',
      `${folder} is locked by another conversion, but its lock file ${path} cannot be read; if no conversion is writing there, delete that file.`,
      { file: path }
    )
  const here = owner.host === hostname()
  const who = `process ${owner.pid} on ${here ? 'this machine' : `host ${owner.host}`}, started ${owner.startedAt}`
  const advice = here
    ? 'wait for it to finish or stop it'
    : `Shardscope cannot tell from here whether it still runs; if it does not, delete ${path}`
  return new ShardscopeError(
    'BUSY',
    `Another conversion is writing to ${folder} (${who}); ${advice}. Two runs must never write one destination at once.`,
    { file: path }
  )
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
async function processStartOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
