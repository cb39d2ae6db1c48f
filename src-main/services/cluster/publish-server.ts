import { rankFolderOf } from '../../engine/cluster/server-files'
import { ShardscopeError } from '../../engine/errors'
import { formatBytes } from '../../engine/util/format-bytes'
import type { FileResult, PlannedFile, PushEvent, ServerResult } from './push-types'
import { detectHashTool, remoteHashes, type HashTool } from './remote-hash'
import type { Semaphore } from './semaphore'
import { isDiskFull } from './ssh-transport'
import { joinRemote, shellQuote, type Transport } from './transport'
import { uploadFile } from './upload-file'

export const INCOMING = '.shardscope-incoming'
export const MARKER = '.shardscope-complete.json'
export const REPLACED = '.shardscope-replaced'
const CHECKPOINT_FILE = /\.(ckpt|safetensors)$/

interface Marker {
  format: 'shardscope-push'
  version: 1
  server: string
  hashTool: string
  completedAt: string
  files: { path: string; size: number; sha256: string; rank?: number }[]
}

export interface PublishInput {
  server: string
  transport: Transport
  files: PlannedFile[]
  /** `<remote root>/<name>`. */
  folder: string
  perServer: Semaphore
  overall: Semaphore
  signal?: AbortSignal
  emit: (event: PushEvent) => void
}

async function readMarker(transport: Transport, folder: string): Promise<Marker | undefined> {
  try {
    const marker = JSON.parse(
      (await transport.readSmallFile(joinRemote(folder, MARKER))).toString('utf8')
    ) as Marker
    return marker.format === 'shardscope-push' && Array.isArray(marker.files) ? marker : undefined
  } catch {
    return undefined
  }
}

function diskFull(server: string, path: string, free: number | undefined, needed: number) {
  const has = free === undefined ? '' : ` has ${formatBytes(free)} free but`
  return new ShardscopeError(
    'IO_ERROR',
    `${server}: the disk holding ${path}${has} is full for the ${formatBytes(needed)} still to send; nothing was published there.`
  )
}

/**
 * The publish protocol for one node: upload into `<folder>/.shardscope-incoming/`, verify every file there with
 * the node's own SHA-256 tool, then move each into place with an atomic rename (old checkpoint files in a rank
 * folder moved aside first) and write the completion marker last. Re-running a finished push only verifies.
 */
export async function publishServer(input: PublishInput): Promise<ServerResult> {
  const { server, transport, folder } = input
  const bytesTotal = input.files.reduce((s, f) => s + f.size, 0)
  const results = new Map<string, FileResult>(
    input.files.map((f) => [
      f.relativePath,
      {
        relativePath: f.relativePath,
        size: f.size,
        ...(f.rank !== undefined ? { rank: f.rank } : {}),
        ...(f.sha256 ? { sha256: f.sha256 } : {}),
        outcome: 'pending',
        sentBytes: 0,
        resumedFrom: 0
      }
    ])
  )
  const result: ServerResult = {
    server,
    state: 'checking',
    alreadyComplete: false,
    remoteFolder: folder,
    movedAside: [],
    files: [...results.values()],
    bytesSent: 0,
    bytesTotal
  }
  const emit = (extra: Partial<PushEvent> = {}) =>
    input.emit({ server, state: result.state, bytesSent: result.bytesSent, bytesTotal, ...extra })
  emit()
  const tool = await detectHashTool(transport)
  result.hashTool = tool

  // What is already published and still hashes right needs nothing; the rest goes through incoming.
  const marker = await readMarker(transport, folder)
  let todo = input.files
  if (marker) {
    const marked = new Map(marker.files.map((f) => [f.path, f]))
    const candidates = input.files.filter((f) => {
      const m = marked.get(f.relativePath)
      return m && m.size === f.size && (f.sha256 === undefined || f.sha256 === m.sha256)
    })
    result.state = 'verifying'
    emit()
    const hashes = await remoteHashes(
      transport,
      tool,
      candidates.map((f) => joinRemote(folder, f.relativePath))
    )
    const good = new Set(
      candidates
        .filter((f) => hashes.get(joinRemote(folder, f.relativePath)) === marked.get(f.relativePath)!.sha256)
        .map((f) => f.relativePath)
    )
    for (const path of good)
      Object.assign(results.get(path)!, { outcome: 'already-verified', sha256: marked.get(path)!.sha256 })
    todo = input.files.filter((f) => !good.has(f.relativePath))
    if (todo.length === 0) {
      result.state = 'done'
      result.alreadyComplete = true
      result.files = [...results.values()]
      emit()
      return result
    }
  }
  const resend = new Set(
    marker
      ? todo.filter((f) => marker.files.some((m) => m.path === f.relativePath)).map((f) => f.relativePath)
      : []
  )

  const incoming = joinRemote(folder, INCOMING)
  await transport.mkdirp(incoming)
  const present = new Map(
    (
      await Promise.all(
        todo.map(
          async (f) =>
            [f.relativePath, (await transport.stat(joinRemote(incoming, f.relativePath)))?.size ?? 0] as const
        )
      )
    ).map(([p, s]) => [p, s])
  )
  const needed = todo.reduce(
    (s, f) => s + Math.max(0, f.size - Math.min(present.get(f.relativePath) ?? 0, f.size)),
    0
  )
  const free = await transport.freeBytes(incoming)
  if (free !== undefined && free < needed) throw diskFull(server, folder, free, needed)

  result.state = 'uploading'
  emit()
  const send = async (file: PlannedFile, fresh: boolean) => {
    const target = joinRemote(incoming, file.relativePath)
    await transport.mkdirp(target.slice(0, target.lastIndexOf('/')))
    if (fresh) await transport.remove(target)
    let done = 0
    try {
      const outcome = await input.overall.run(() =>
        uploadFile(transport, file.localPath, target, file.size, {
          tool,
          ...(file.sha256 ? { expectedSha256: file.sha256 } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
          onBytes: (bytes) => {
            done += bytes
            result.bytesSent += bytes
            emit({ file: { relativePath: file.relativePath, bytesDone: done, size: file.size } })
          }
        })
      )
      const entry = results.get(file.relativePath)!
      entry.sha256 = outcome.sha256
      entry.sentBytes += outcome.sentBytes
      entry.resumedFrom = outcome.resumedFrom
      entry.outcome =
        resend.has(file.relativePath) || fresh
          ? 'resent-after-mismatch'
          : outcome.resumedFrom > 0
            ? 'resumed'
            : 'sent'
      emit({
        file: {
          relativePath: file.relativePath,
          bytesDone: file.size,
          size: file.size,
          outcome: entry.outcome
        }
      })
    } catch (err) {
      if (isDiskFull(err)) throw diskFull(server, folder, await transport.freeBytes(incoming), needed)
      throw err
    }
  }
  await Promise.all(todo.map((file) => input.perServer.run(() => send(file, false))))

  result.state = 'verifying'
  emit()
  for (let attempt = 0; ; attempt++) {
    const paths = todo.map((f) => joinRemote(incoming, f.relativePath))
    const hashes = await remoteHashes(transport, tool, paths)
    const bad = todo.filter(
      (f) => hashes.get(joinRemote(incoming, f.relativePath)) !== results.get(f.relativePath)!.sha256
    )
    if (bad.length === 0) break
    if (attempt >= 1) {
      throw new ShardscopeError(
        'VERIFY_FAILED',
        `${server}: ${bad.map((f) => f.relativePath).join(', ')} still hash differently on the node after being sent again; nothing was published there.`
      )
    }
    result.state = 'uploading'
    await Promise.all(bad.map((file) => input.perServer.run(() => send(file, true))))
    result.state = 'verifying'
  }

  result.state = 'publishing'
  emit()
  await publish(transport, folder, incoming, todo, [...results.values()], result, tool)
  result.state = 'done'
  result.files = [...results.values()]
  emit()
  return result
}

async function publish(
  transport: Transport,
  folder: string,
  incoming: string,
  moved: PlannedFile[],
  all: FileResult[],
  result: ServerResult,
  tool: HashTool
) {
  // The marker goes first and comes back last: a node is never marked complete while files are being swapped.
  await transport.remove(joinRemote(folder, MARKER))
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const newNames = new Map<string, Set<string>>()
  for (const file of all) {
    const rankFolder = rankFolderOf(file.relativePath)
    if (rankFolder)
      newNames.set(
        rankFolder,
        (newNames.get(rankFolder) ?? new Set()).add(file.relativePath.slice(rankFolder.length + 1))
      )
  }
  for (const [rankFolder, names] of newNames) {
    const dir = joinRemote(folder, rankFolder)
    await transport.mkdirp(dir)
    for (const entry of await transport.list(dir)) {
      if (entry.isDirectory || names.has(entry.name) || !CHECKPOINT_FILE.test(entry.name)) continue
      const aside = joinRemote(folder, REPLACED, stamp, rankFolder)
      await transport.mkdirp(aside)
      await transport.rename(joinRemote(dir, entry.name), joinRemote(aside, entry.name))
      result.movedAside.push(`${rankFolder}/${entry.name}`)
    }
  }
  for (const file of moved) {
    const target = joinRemote(folder, file.relativePath)
    await transport.mkdirp(target.slice(0, target.lastIndexOf('/')))
    await transport.rename(joinRemote(incoming, file.relativePath), target)
  }
  const marker: Marker = {
    format: 'shardscope-push',
    version: 1,
    server: result.server,
    hashTool: tool,
    completedAt: new Date().toISOString(),
    files: all.map((f) => ({
      path: f.relativePath,
      size: f.size,
      sha256: f.sha256!,
      ...(f.rank !== undefined ? { rank: f.rank } : {})
    }))
  }
  const temp = joinRemote(incoming, MARKER)
  await transport.writeSmallFile(temp, Buffer.from(JSON.stringify(marker, null, 2) + '\n'))
  await transport.rename(temp, joinRemote(folder, MARKER))
  await transport.exec(`rm -rf -- ${shellQuote(incoming)}`)
}
