import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { IPC_EVENT, IPC_REQUEST } from '../../api/contract'
import type { AppService, Reply } from '../../services/app-service'

/**
 * Wires the contract onto Electron IPC: one invoke channel for requests (answered by the validating app
 * service), one push channel for events. Requests from any frame but our own renderer are refused.
 */
export function registerIpc(
  ipcMain: IpcMain,
  service: AppService,
  isTrustedUrl: (url: string) => boolean
): (contents: WebContents) => () => void {
  ipcMain.handle(
    IPC_REQUEST,
    async (event: IpcMainInvokeEvent, name: unknown, params: unknown): Promise<Reply> => {
      const url = event.senderFrame?.url ?? ''
      if (!isTrustedUrl(url)) {
        return {
          ok: false,
          error: { code: 'BAD_INPUT', message: 'Requests are only accepted from the Shardscope window.' }
        }
      }
      return service.handle(name, params)
    }
  )
  return (contents) =>
    service.onEvent((event) => {
      if (!contents.isDestroyed()) contents.send(IPC_EVENT, event)
    })
}

/** Our renderer: the packaged index.html, or the dev server while developing. */
export function trustedUrlCheck(
  rendererFile: string,
  devServer: string | undefined
): (url: string) => boolean {
  const fileUrl = new URL(`file://${rendererFile}`).href
  return (url) =>
    url === fileUrl || url.startsWith(`${fileUrl}#`) || (devServer !== undefined && url.startsWith(devServer))
}
