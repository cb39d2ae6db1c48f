import { rankFolderOf } from '../../engine/cluster/server-files'
import { MARKER, REPLACED, type Marker } from './push-marker'
import type { FileResult, PlannedFile, ServerResult } from './push-types'
import type { HashTool } from './remote-hash'
import { joinRemote, shellQuote, type Transport } from './transport'

const CHECKPOINT_FILE = /\.(ckpt|safetensors)$/

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/'
}

/** Each destination rank folder with the file names the push puts there. */
function rankFolders(all: FileResult[]): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>()
  for (const file of all) {
    const rankFolder = rankFolderOf(file.relativePath)
    if (rankFolder)
      names.set(
        rankFolder,
        (names.get(rankFolder) ?? new Set()).add(file.relativePath.slice(rankFolder.length + 1))
      )
  }
  return names
}

/**
 * Moves verified files from the incoming folder into place. The marker goes first and comes back last, so a
 * node is never marked complete while files are being swapped; an old checkpoint in a destination rank folder
 * is moved to .shardscope-replaced/<time>/ first, so MindSpore's loader finds only the new one. Independent
 * steps (one rank folder's clean-up, one rename) go to the node together: SFTP answers them in order anyway.
 */
export async function publishIncoming(
  transport: Transport,
  folder: string,
  incoming: string,
  moved: PlannedFile[],
  all: FileResult[],
  result: ServerResult,
  tool: HashTool
): Promise<void> {
  await transport.remove(joinRemote(folder, MARKER))
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  await Promise.all(
    [...rankFolders(all)].map(async ([rankFolder, names]) => {
      const dir = joinRemote(folder, rankFolder)
      await transport.mkdirp(dir)
      const stale = (await transport.list(dir)).filter(
        (entry) => !entry.isDirectory && !names.has(entry.name) && CHECKPOINT_FILE.test(entry.name)
      )
      if (stale.length === 0) return
      const aside = joinRemote(folder, REPLACED, stamp, rankFolder)
      await transport.mkdirp(aside)
      await Promise.all(
        stale.map((entry) => transport.rename(joinRemote(dir, entry.name), joinRemote(aside, entry.name)))
      )
      result.movedAside.push(...stale.map((entry) => `${rankFolder}/${entry.name}`))
    })
  )
  result.movedAside.sort()
  const targets = moved.map((file) => joinRemote(folder, file.relativePath))
  await Promise.all([...new Set(targets.map(parentOf))].map((dir) => transport.mkdirp(dir)))
  await Promise.all(
    moved.map((file, i) => transport.rename(joinRemote(incoming, file.relativePath), targets[i]!))
  )
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
      ...(f.xxh3_128 !== undefined ? { xxh3_128: f.xxh3_128 } : {}),
      ...(f.rank !== undefined ? { rank: f.rank } : {})
    }))
  }
  const temp = joinRemote(incoming, MARKER)
  await transport.writeSmallFile(temp, Buffer.from(JSON.stringify(marker, null, 2) + '\n'))
  await transport.rename(temp, joinRemote(folder, MARKER))
  await removeEmptyIncoming(transport, incoming, moved)
}

/**
 * The incoming folder held only what was moved out of it: its emptied folders are removed, deepest first.
 * Anything else left there (a partial file of a plan that changed) goes with one `rm -rf`.
 */
async function removeEmptyIncoming(transport: Transport, incoming: string, moved: PlannedFile[]) {
  const byDepth = new Map<number, Set<string>>()
  for (const file of moved) {
    for (let dir = parentOf(joinRemote(incoming, file.relativePath)); dir.length > incoming.length;) {
      const depth = dir.split('/').length
      byDepth.set(depth, (byDepth.get(depth) ?? new Set()).add(dir))
      dir = parentOf(dir)
    }
  }
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a))
    await Promise.all([...byDepth.get(depth)!].map((dir) => transport.removeDirectory(dir)))
  if (!(await transport.removeDirectory(incoming))) await transport.exec(`rm -rf -- ${shellQuote(incoming)}`)
}
