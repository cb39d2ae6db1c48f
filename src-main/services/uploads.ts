import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { UploadFile } from '../api/contract'
import { ShardscopeError } from '../engine/errors'
import { ioError } from '../engine/io/io-error'
import { isProcessAlive } from '../engine/util/process-alive'
import { MAX_UPLOAD_BYTES } from './request-validation'

const ROOT_PREFIX = 'shardscope-uploads-'
const OWNER_FILE = 'owner.json'
/** The longest file or folder name Linux file systems take, in bytes. */
const MAX_NAME_BYTES = 255

/**
 * Browser mode cannot learn the path of a dropped file, so small dropped items (strategy files, rank tables,
 * test-sized checkpoints) are copied into a session folder on the server and opened from there. Relative paths
 * were validated (no `..`, no absolute parts); the total size is capped; a name the file system cannot hold is
 * bad input, said so. The folder is removed when the session ends, and leftovers of sessions that died are
 * removed when the next one starts.
 */
export class UploadArea {
  private root?: Promise<string>

  async save(name: string, files: UploadFile[]): Promise<string> {
    if (files.length === 0) throw new ShardscopeError('BAD_INPUT', `"${name}" is empty: nothing was dropped.`)
    const total = files.reduce((sum, f) => sum + decodedLength(f.data), 0)
    if (total > MAX_UPLOAD_BYTES) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `"${name}" is ${Math.round(total / 1048576)} MiB; dropped items are limited to ${MAX_UPLOAD_BYTES / 1048576} MiB in browser mode, so open it by its path instead.`
      )
    }
    checkNames(name, files)
    const target = await mkdtemp(join(await this.sessionRoot(), 'drop-'))
    for (const file of files) {
      const path = join(target, file.relativePath)
      try {
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, Buffer.from(file.data, 'base64'), { flag: 'wx' })
      } catch (err) {
        throw unsaved(err, name, file.relativePath)
      }
    }
    // A single file or folder opens as itself; several dropped together open as the folder holding them.
    const tops = new Set(files.map((f) => f.relativePath.split('/')[0]!))
    return tops.size === 1 ? join(target, [...tops][0]!) : target
  }

  /** Removes this session's uploads. */
  async clear(): Promise<void> {
    const root = await this.root?.catch(() => undefined)
    this.root = undefined
    if (root) await rm(root, { recursive: true, force: true })
  }

  /** Removes upload folders of this user's sessions whose process no longer runs. */
  static async removeLeftovers(parent = tmpdir()): Promise<string[]> {
    const removed: string[] = []
    const names = await readdir(parent).catch(() => [] as string[])
    for (const name of names.filter((n) => n.startsWith(ROOT_PREFIX))) {
      const path = join(parent, name)
      const info = await lstat(path).catch(() => undefined)
      if (!info?.isDirectory() || (process.getuid && info.uid !== process.getuid())) continue
      const owner = await readFile(join(path, OWNER_FILE), 'utf8')
        .then((text) => (JSON.parse(text) as { pid?: unknown }).pid)
        .catch(() => undefined)
      if (typeof owner !== 'number' || isProcessAlive(owner)) continue
      await rm(path, { recursive: true, force: true }).then(
        () => removed.push(path),
        () => undefined
      )
    }
    return removed
  }

  private sessionRoot(): Promise<string> {
    this.root ??= (async () => {
      const root = await mkdtemp(join(tmpdir(), ROOT_PREFIX))
      await writeFile(join(root, OWNER_FILE), JSON.stringify({ pid: process.pid }))
      return root
    })()
    return this.root
  }
}

/** Bytes a base64 text decodes to, without decoding it. */
function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0
  return Math.floor((base64.length * 3) / 4) - padding
}

function checkNames(name: string, files: UploadFile[]): void {
  const filesSeen = new Set<string>()
  const folders = new Set<string>()
  for (const { relativePath } of files) {
    const parts = relativePath.split('/')
    const long = parts.find((p) => Buffer.byteLength(p) > MAX_NAME_BYTES)
    if (long !== undefined)
      throw new ShardscopeError(
        'BAD_INPUT',
        `"${name}" holds a name longer than ${MAX_NAME_BYTES} bytes (${long.slice(0, 40)}…), which the file system cannot store.`
      )
    if (filesSeen.has(relativePath))
      throw new ShardscopeError('BAD_INPUT', `"${name}" lists ${relativePath} twice.`)
    filesSeen.add(relativePath)
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'))
  }
  const both = [...filesSeen].find((f) => folders.has(f))
  if (both !== undefined)
    throw new ShardscopeError('BAD_INPUT', `"${name}" holds ${both} both as a file and as a folder.`)
}

function unsaved(err: unknown, name: string, relativePath: string): ShardscopeError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENAMETOOLONG')
    return new ShardscopeError('BAD_INPUT', `"${name}" holds a path too long to store: ${relativePath}.`)
  if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
    return new ShardscopeError(
      'BAD_INPUT',
      `"${name}" holds ${relativePath} twice, or as a file and a folder.`
    )
  return ioError(err, relativePath, `store the dropped file`)
}
