import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { ioError } from './io-error'

/**
 * What a file was when something was planned from it. Size and modification time catch a rewrite, the change
 * time catches a rewrite whose modification time was put back (`touch -r`), inode and device catch a file
 * replaced by another (a rename over it, a remounted copy). Any difference means "not the file we planned from".
 */
export interface FileIdentity {
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
  dev: number
}

export function identityOf(info: Stats): FileIdentity {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino, dev: info.dev }
}

export async function fileIdentity(path: string): Promise<FileIdentity> {
  try {
    return identityOf(await stat(path))
  } catch (err) {
    throw ioError(err, path, 'read')
  }
}

/** What differs between two identities, in words ("its size changed from 10 to 12 bytes"); undefined if none. */
export function identityChange(planned: FileIdentity, now: FileIdentity): string | undefined {
  if (planned.dev !== now.dev || planned.ino !== now.ino) return 'it was replaced by another file'
  if (planned.size !== now.size) return `its size changed from ${planned.size} to ${now.size} bytes`
  if (planned.mtimeMs !== now.mtimeMs)
    return `it was modified (at ${new Date(now.mtimeMs).toISOString()}, planned from the version of ${new Date(planned.mtimeMs).toISOString()})`
  if (planned.ctimeMs !== now.ctimeMs) return 'its contents or attributes were changed'
  return undefined
}
