import type { Dirent } from 'node:fs'
import { opendir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import type { DirectoryListing } from '../api/contract'
import { ioError } from '../engine/io/io-error'

/** The browser-mode file picker shows this many entries of a folder at most; type a path for the rest. */
export const MAX_LISTED_ENTRIES = 5000

/** A folder's visible entries, folders first, in natural order; at most `limit` of them. */
export async function listDirectory(path = homedir(), limit = MAX_LISTED_ENTRIES): Promise<DirectoryListing> {
  const names: Dirent[] = []
  let truncated = false
  let hidden = 0
  try {
    // Read entry by entry rather than all at once: a folder of millions of files costs no more than the cap.
    for await (const entry of await opendir(path, { bufferSize: 256 })) {
      if (entry.name.startsWith('.')) {
        hidden++
        continue
      }
      if (names.length === limit) {
        truncated = true
        break
      }
      names.push(entry)
    }
  } catch (err) {
    const info =
      (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? await stat(path).catch(() => undefined) : undefined
    if (info?.isFile()) return { path, parent: dirname(path), entries: [], hidden: 0, file: true }
    throw ioError(err, path, 'list folder')
  }
  const entries = await Promise.all(
    names.map(async (e) => {
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
  return {
    path,
    ...(parent !== path ? { parent } : {}),
    entries,
    hidden,
    ...(truncated ? { truncated } : {})
  }
}
