import { client } from '../api/client'
import { useAppStore } from '../store/app-store'
import type { PathKind } from '../store/ui-slice'

/**
 * Asks the user for paths: Electron's native dialog, or in browser mode the server-side file browser (the
 * files live on the machine Shardscope runs on, not the one the browser runs on).
 */
export async function choosePaths(kind: PathKind, title: string): Promise<string[]> {
  const store = useAppStore.getState()
  if (store.info?.nativeDialogs) {
    const { paths } = await client.request('path.pick', { kind: kind === 'folder' ? 'folder' : 'file' })
    return paths
  }
  const path = await new Promise<string | undefined>((resolve) => {
    // A chooser already open is answered "nothing" before this one replaces it.
    store.pathRequest?.resolve(undefined)
    store.setPathRequest({
      kind,
      title,
      resolve: (chosen) => {
        useAppStore.getState().setPathRequest(undefined)
        resolve(chosen)
      }
    })
  })
  return path ? [path] : []
}

export async function choosePath(kind: PathKind, title: string): Promise<string | undefined> {
  return (await choosePaths(kind, title))[0]
}
