import type { Stats } from 'node:fs'
import { ShardscopeError } from '../errors'

/**
 * Refuses what is not a regular file (or a folder, which callers handle first). Reading a named pipe blocks
 * until some other program writes to it, and a device or socket has no size to bound a read by: a path that
 * names one is a mistake to say, not a file to wait on.
 */
export function requireRegularFile(stats: Stats, path: string): void {
  if (stats.isFile()) return
  throw new ShardscopeError(
    'BAD_INPUT',
    `${path} is ${specialKind(stats)}, not a regular file; Shardscope reads checkpoints and strategies only from files.`,
    { file: path }
  )
}

function specialKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isDirectory()) return 'a folder'
  return 'a special file'
}
