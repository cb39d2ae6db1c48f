import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppService } from '../../services/app-service'
import { readCookie, TOKEN_COOKIE, tokensMatch } from './session-token'

/** Uploads of dropped files are the largest messages: 64 MiB of content as base64, plus framing. */
const MAX_MESSAGE_BYTES = 96 * 1024 * 1024

export const API_PATH = '/api'

/**
 * The contract over a WebSocket at /api: `{id, name, params}` in, `{id, ok, result | error}` out, and
 * `{event}` pushed. The upgrade needs the session token (cookie or query), our own host and our own origin, so
 * neither another local user nor a web page in the same browser can drive the engine.
 */
export function attachApiSocket(
  server: Server,
  service: AppService,
  token: string,
  port: () => number
): void {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const origins = [`http://127.0.0.1:${port()}`, `http://localhost:${port()}`]
    const authorised =
      url.pathname === API_PATH &&
      origins.some((o) => request.headers.host === o.slice('http://'.length)) &&
      origins.includes(request.headers.origin ?? '') &&
      (tokensMatch(token, url.searchParams.get('token')) ||
        tokensMatch(token, readCookie(request.headers.cookie, TOKEN_COOKIE)))
    if (!authorised) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serve(ws, service))
  })
}

function serve(ws: WebSocket, service: AppService): void {
  const unsubscribe = service.onEvent((event) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event }))
  })
  ws.on('close', unsubscribe)
  ws.on('message', (data, isBinary) => {
    void (async () => {
      let id: unknown = null
      try {
        if (isBinary) throw new Error('binary messages are not part of the protocol')
        const message = JSON.parse(data.toString()) as { id?: unknown; name?: unknown; params?: unknown }
        id = message.id
        if (typeof id !== 'number' && typeof id !== 'string') throw new Error('a request needs an id')
        const reply = await service.handle(message.name, message.params)
        ws.send(JSON.stringify({ id, ...reply }))
      } catch (err) {
        ws.send(
          JSON.stringify({
            id,
            ok: false,
            error: { code: 'BAD_INPUT', message: `Invalid request: ${(err as Error).message}.` }
          })
        )
      }
    })()
  })
}
