import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Problem } from './plan-types'

/**
 * Finds out before anything runs whether the destination folder can be written: it is a directory (or can be
 * created under one) that this user may write to.
 */
export async function checkDestinationFolder(folder: string, problems: Problem[]): Promise<void> {
  let current = folder
  for (;;) {
    const info = await stat(current).catch(() => undefined)
    if (info) {
      if (!info.isDirectory()) {
        problems.push({
          severity: 'error',
          message: `The destination ${folder} cannot be written: ${current} is a file, not a folder.`
        })
        return
      }
      const writable = await access(current, constants.W_OK).then(
        () => true,
        () => false
      )
      if (!writable)
        problems.push({
          severity: 'error',
          message: `The destination ${folder} cannot be written: ${current} is not writable for this user.`
        })
      return
    }
    const parent = dirname(current)
    if (parent === current) return
    current = parent
  }
}
