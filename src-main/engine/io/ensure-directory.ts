import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdir(path, { recursive: true })` never settles for paths under
 * pseudo file systems such as /proc, which would hang a conversion instead of failing it with a sentence.
 */
export async function ensureDirectory(path: string): Promise<void> {
  const missing: string[] = []
  let current = path
  for (;;) {
    const info = await stat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw err
    })
    if (info) {
      if (!info.isDirectory())
        throw Object.assign(new Error(`${current} is not a directory`), { code: 'ENOTDIR' })
      break
    }
    missing.push(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const directory of missing.reverse()) {
    await mkdir(directory).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    })
  }
}
