import { ShardscopeError } from '../errors'

/** Turns an operating-system error into a sentence that names the file and what went wrong. */
export function ioError(err: unknown, file: string, action: string): ShardscopeError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const reasons: Record<string, string> = {
    ENOENT: 'it does not exist',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    EROFS: 'the file system is read-only',
    EMFILE: 'too many open files',
    EIO: 'an input/output error occurred'
  }
  const reason = (code && reasons[code]) ?? (err instanceof Error ? err.message : String(err))
  return new ShardscopeError(
    code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR',
    `Cannot ${action} ${file}: ${reason}.`,
    {
      file
    }
  )
}
