import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { IPC_EVENT, IPC_REQUEST, type AppEvent, type RequestName } from '../../api/contract'

/**
 * The renderer's only door to main: a typed request function, an event subscription and the path of a dropped
 * file. No ipcRenderer, no fs, no Node: main validates every request anyway.
 */
const bridge = {
  shell: 'electron' as const,
  async request(name: RequestName, params: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke(IPC_REQUEST, name, params)) as {
      ok: boolean
      result?: unknown
      error?: { code: string; message: string }
    }
    if (!reply.ok)
      throw Object.assign(new Error(reply.error?.message ?? 'Request failed.'), { code: reply.error?.code })
    return reply.result
  },
  onEvent(listener: (event: AppEvent) => void): () => void {
    const handler = (_event: unknown, payload: AppEvent) => listener(payload)
    ipcRenderer.on(IPC_EVENT, handler)
    return () => ipcRenderer.removeListener(IPC_EVENT, handler)
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file)
  }
}

contextBridge.exposeInMainWorld('shardscope', bridge)

export type ShardscopeBridge = typeof bridge
