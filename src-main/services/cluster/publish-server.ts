import { ShardscopeError } from '../../engine/errors'
import { formatBytes } from '../../engine/util/format-bytes'
import { hashLocalFile } from './content-hash'
import { publishIncoming } from './publish-files'
import { INCOMING, readMarker, sameContent, type MarkedFile, type Marker } from './push-marker'
import type { FileResult, PlannedFile, PushEvent, ServerResult } from './push-types'
import { detectHashTool, remoteHashes, type HashTool } from './remote-hash'
import { Semaphore } from './semaphore'
import { isDiskFull } from './ssh-transport'
import { joinRemote, type Transport } from './transport'
import { uploadFile } from './upload-file'

export { INCOMING, MARKER, REPLACED } from './push-marker'

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

function diskFull(server: string, path: string, free: number | undefined, needed: number) {
  const has = free === undefined ? '' : ` has ${formatBytes(free)} free but`
  return new ShardscopeError(
    'IO_ERROR',
    `${server}: the disk holding ${path}${has} is full for the ${formatBytes(needed)} still to send; nothing was published there.`
  )
}

/**
 * Files the marker lists that are still what the plan wants and still hash right on the node. Files the
 * manifest does not hash (the strategy) are hashed here first, so a changed one is sent again.
 */
async function stillPublished(
  transport: Transport,
  tool: HashTool,
  folder: string,
  files: PlannedFile[],
  marker: Marker
): Promise<Map<string, MarkedFile>> {
  const marked = new Map(marker.files.map((f) => [f.path, f]))
  const candidates: PlannedFile[] = []
  for (const file of files) {
    const entry = marked.get(file.relativePath)
    if (!entry || entry.size !== file.size) continue
    const planned = file.sha256 || file.xxh3_128 ? file : await hashLocalFile(file.localPath)
    if (sameContent(planned, entry)) candidates.push(file)
  }
  const hashes = await remoteHashes(
    transport,
    tool,
    candidates.map((f) => joinRemote(folder, f.relativePath))
  )
  const good = new Map<string, MarkedFile>()
  for (const file of candidates) {
    const entry = marked.get(file.relativePath)!
    if (hashes.get(joinRemote(folder, file.relativePath)) === entry.sha256) good.set(file.relativePath, entry)
  }
  return good
}

/**
 * The publish protocol for one node: upload into `<folder>/.shardscope-incoming/`, verify each file there with
 * the node's own SHA-256 tool as soon as it has arrived (while the next one is sent), then move each into place
 * with an atomic rename and write the completion marker last. Re-running a finished push only verifies.
 */
export async function publishServer(input: PublishInput): Promise<ServerResult> {
  const { server, transport, folder } = input
  const incoming = joinRemote(folder, INCOMING)
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
  const [tool, marker] = await Promise.all([detectHashTool(transport), readMarker(transport, folder)])
  result.hashTool = tool

  // What is already published and still hashes right needs nothing; the rest goes through incoming.
  let todo = input.files
  if (marker) {
    result.state = 'verifying'
    emit()
    const good = await stillPublished(transport, tool, folder, input.files, marker)
    for (const [path, entry] of good)
      Object.assign(results.get(path)!, {
        outcome: 'already-verified',
        sha256: entry.sha256,
        ...(entry.xxh3_128 ? { xxh3_128: entry.xxh3_128 } : {})
      })
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
    todo.filter((f) => marker?.files.some((m) => m.path === f.relativePath)).map((f) => f.relativePath)
  )

  await transport.mkdirp(incoming)
  const present = await Promise.all(
    todo.map(async (f) => (await transport.stat(joinRemote(incoming, f.relativePath)))?.size ?? 0)
  )
  const needed = todo.reduce((s, f, i) => s + Math.max(0, f.size - Math.min(present[i]!, f.size)), 0)
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
          name: file.relativePath,
          expected: {
            ...(file.sha256 ? { sha256: file.sha256 } : {}),
            ...(file.xxh3_128 ? { xxh3_128: file.xxh3_128 } : {})
          },
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
      if (outcome.xxh3_128 !== undefined) entry.xxh3_128 = outcome.xxh3_128
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
  // The node hashes one file at a time, while the next file is on its way.
  const hashing = new Semaphore(1)
  const verified = async (file: PlannedFile) => {
    const path = joinRemote(incoming, file.relativePath)
    const hashes = await hashing.run(() => remoteHashes(transport, tool, [path]))
    return hashes.get(path) === results.get(file.relativePath)!.sha256
  }
  let uploading = todo.length
  const uploaded = () => {
    if (--uploading > 0) return
    result.state = 'verifying'
    emit()
  }
  const stillBad: string[] = []
  await Promise.all(
    todo.map(async (file) => {
      await input.perServer.run(() => send(file, false))
      uploaded()
      if (await verified(file)) return
      // Different on the node than what was read here: sent once more from scratch, then it must match.
      uploading++
      result.state = 'uploading'
      await input.perServer.run(() => send(file, true))
      uploaded()
      if (!(await verified(file))) stillBad.push(file.relativePath)
    })
  )
  if (stillBad.length > 0)
    throw new ShardscopeError(
      'VERIFY_FAILED',
      `${server}: ${stillBad.sort().join(', ')} still hash differently on the node after being sent again; nothing was published there.`
    )

  result.state = 'publishing'
  emit()
  await publishIncoming(transport, folder, incoming, todo, [...results.values()], result, tool)
  result.state = 'done'
  result.files = [...results.values()]
  emit()
  return result
}
