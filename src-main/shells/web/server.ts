import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { API_PATH, UPLOAD_PATH } from '../../api/contract'
import type { AppService } from '../../services/app-service'
import { attachApiSocket } from './api-socket'
import { HOST, isOwnHost } from './local-origin'
import { deny, securityHeaders } from './responses'
import { newSessionToken } from './session-token'
import { resolveStaticFile } from './static-files'
import { uploadRoute } from './upload-route'

export interface WebServerOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** The app's use cases, served at /api over a WebSocket; without it only the static files are served. */
  service?: AppService
  /** 0 picks a free port. */
  port?: number
  /** Fixed token for tests; random otherwise. */
  token?: string
  /** The largest upload request body; tests lower it. */
  maxUploadBytes?: number
}

export interface RunningWebServer {
  /** The link to open: the token rides in the fragment, which browsers never send to any server. */
  url: string
  token: string
  port: number
  server: Server
  close(): Promise<void>
}

/**
 * Serves the renderer to a local browser. The page's files are not secret and need no token (but our own
 * Host name, against DNS rebinding); the API is: its WebSocket and upload route take the session token only
 * from what the page attaches explicitly, never from a cookie.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = options.token ?? newSessionToken()
  let port = 0
  const upload = uploadRoute(options.service, token, () => port, options.maxUploadBytes)
  const server = createServer((request, response) => {
    handle(request, response).catch(() => deny(response, 500, 'Internal server error.'))
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isOwnHost(request.headers.host, port)) return deny(response, 421, 'Wrong host.')
    const path = (request.url ?? '/').split('?')[0]!
    if (path === UPLOAD_PATH) return upload(request, response)
    if (path === API_PATH) return deny(response, 426, 'The API is a WebSocket.', { Upgrade: 'websocket' })
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return deny(response, 405, 'Method not allowed.', { Allow: 'GET, HEAD' })
    const file = await resolveStaticFile(options.rendererDir, path)
    if (!file) return deny(response, 404, 'Not found.')
    response.writeHead(200, { ...securityHeaders(), 'Content-Type': file.type })
    response.end(request.method === 'HEAD' ? undefined : file.body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, HOST, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const sockets = attachApiSocket(server, options.service, token, () => port)
  return {
    url: `http://${HOST}:${port}/#token=${token}`,
    token,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.closeAll()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
