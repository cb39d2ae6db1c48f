import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AppService } from '../../services/app-service'
import { CONTENT_SECURITY_POLICY } from '../electron/window-options'
import { attachApiSocket } from './api-socket'
import { newSessionToken, readCookie, TOKEN_COOKIE, tokensMatch } from './session-token'
import { resolveStaticFile } from './static-files'

export interface WebServerOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** The app's use cases, served at /api over a WebSocket; without it only the static files are served. */
  service?: AppService
  /** 0 picks a free port. */
  port?: number
  /** Fixed token for tests; random otherwise. */
  token?: string
}

export interface RunningWebServer {
  url: string
  token: string
  port: number
  server: Server
  close(): Promise<void>
}

/** Browser mode binds to loopback only; the host header must name it too, which defeats DNS rebinding. */
const HOST = '127.0.0.1'

/**
 * Serves the renderer to a local browser. Every request must carry the session token: in the URL the first
 * time (the printed link), then in an HttpOnly, SameSite=Strict cookie set from it.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = options.token ?? newSessionToken()
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })

  let port = 0
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${HOST}`)
    if (!allowedHost(request.headers.host, port)) return deny(response, 421, 'Wrong host.')
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return deny(response, 405, 'Method not allowed.')
    const fromQuery = url.searchParams.get('token')
    const fromCookie = readCookie(request.headers.cookie, TOKEN_COOKIE)
    if (!tokensMatch(token, fromQuery) && !tokensMatch(token, fromCookie)) {
      return deny(
        response,
        403,
        'This Shardscope session needs its token: open the URL printed when it started.'
      )
    }
    const file = await resolveStaticFile(options.rendererDir, url.pathname)
    if (!file) return deny(response, 404, 'Not found.')
    const headers: Record<string, string> = {
      'Content-Type': file.type,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store'
    }
    if (tokensMatch(token, fromQuery)) {
      headers['Set-Cookie'] =
        `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
    }
    response.writeHead(200, headers)
    response.end(request.method === 'HEAD' ? undefined : file.body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, HOST, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  if (options.service) attachApiSocket(server, options.service, token, () => port)
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    token,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function allowedHost(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`
}

function deny(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  response.end(message + '\n')
}
