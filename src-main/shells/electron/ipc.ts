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

/**
 * Our renderer: the packaged index.html, or a page of the dev server while developing. The dev server is
 * matched by exact origin (scheme, host and port): a prefix match would also trust
 * `http://localhost:5173.evil.example` or `http://localhost:51730`.
 */
export function trustedUrlCheck(
  rendererFile: string,
  devServer: string | undefined
): (url: string) => boolean {
  const fileUrl = new URL(`file://${rendererFile}`).href
  const devOrigin = devServer === undefined ? undefined : originOf(devServer)
  return (url) =>
    url === fileUrl ||
    url.startsWith(`${fileUrl}#`) ||
    (devOrigin !== undefined && devOrigin !== 'null' && originOf(url) === devOrigin)
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}
