import { client } from '../api/client'
import { useAppStore } from '../store/app-store'
import type { PathKind } from '../store/ui-slice'

/** The folder holding `path` ("/a/b/c.ckpt" → "/a/b"); undefined for a path that is not absolute. */
export function folderOf(path: string | undefined): string | undefined {
  const trimmed = path?.trim().replace(/\/+$/, '')
  if (!trimmed?.startsWith('/')) return undefined
  return trimmed.slice(0, trimmed.lastIndexOf('/')) || '/'
}

/**
 * Asks the user for paths: Electron's native dialog, or in browser mode the server-side file browser (the
 * files live on the machine Shardscope runs on, not the one the browser runs on). Either opens in `start`,
 * else where the last Browse… ended.
 */
export async function choosePaths(kind: PathKind, title: string, start?: string): Promise<string[]> {
  const store = useAppStore.getState()
  const from = start ?? store.lastBrowsedFolder
  if (store.info?.nativeDialogs) {
    const { paths } = await client.request('path.pick', {
      kind: kind === 'folder' ? 'folder' : 'file',
      ...(from ? { start: from } : {})
    })
    const folder = folderOf(paths[0])
    if (folder) useAppStore.getState().setLastBrowsedFolder(folder)
    return paths
  }
  const path = await new Promise<string | undefined>((resolve) => {
    // A chooser already open is answered "nothing" before this one replaces it.
    store.pathRequest?.resolve(undefined)
    store.setPathRequest({
      kind,
      title,
      ...(from ? { start: from } : {}),
      resolve: (chosen) => {
        useAppStore.getState().setPathRequest(undefined)
        resolve(chosen)
      }
    })
  })
  return path ? [path] : []
}

export async function choosePath(kind: PathKind, title: string, start?: string): Promise<string | undefined> {
  return (await choosePaths(kind, title, start))[0]
}
