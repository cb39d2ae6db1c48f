import { lstatSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * A cache folder only this user can write: `$XDG_CACHE_HOME/shardscope/<name>` (or `~/.cache/shardscope/<name>`),
 * created 0700. Code is loaded from it, so a folder that is a symbolic link, belongs to someone else or that
 * others may write is refused: another local user could otherwise plant a file this process then runs.
 * Returns the path, or why there is none (callers then do without a cache).
 */
export function userCacheDirectory(name: string): { path: string } | { refused: string } {
  const xdg = process.env.XDG_CACHE_HOME
  // The XDG spec: a relative value is invalid and must be ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache')
  const app = join(base, 'shardscope')
  const path = join(app, name)
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 })
  } catch (err) {
    return { refused: `cannot create ${path} (${(err as Error).message})` }
  }
  for (const dir of [app, path]) {
    const problem = unsafeDirectory(dir)
    if (problem) return { refused: `${dir} ${problem}` }
  }
  return { path }
}

/** Why a folder cannot hold code this process runs, or undefined when only its owner (us) can change it. */
export function unsafeDirectory(dir: string): string | undefined {
  const info = lstatSync(dir, { throwIfNoEntry: false })
  if (!info) return 'does not exist'
  if (info.isSymbolicLink()) return 'is a symbolic link'
  if (!info.isDirectory()) return 'is not a folder'
  const uid = process.getuid?.()
  // Windows has no uid and no group/other mode bits; the per-user profile folder is private there.
  if (uid === undefined) return undefined
  if (info.uid !== uid) return `belongs to user ${info.uid}, not to this user (${uid})`
  if ((info.mode & 0o022) !== 0) return `may be written by others (mode ${(info.mode & 0o777).toString(8)})`
  return undefined
}
