import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { API_PATH, SESSION_PROTOCOL } from '../../api/contract'
import type { AppService } from '../../services/app-service'
import { isOwnHost, isOwnOrigin } from './local-origin'
import { refuseUpgrade } from './responses'
import { tokenFromProtocols, tokensMatch } from './session-token'

/**
 * The largest message a client may send. Requests are small: the biggest legitimate one is a `plan.create`
 * with four 4096-character paths, under 100 KiB even with every character escaped. Dropped files do not come
 * this way (they are posted to the upload route), so a frame header announcing more is refused at once.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024

/**
 * The contract over a WebSocket at /api: `{id, name, params}` in, `{id, ok, result | error}` out, and
 * `{event}` pushed. The upgrade needs our own host, our own origin and the session token offered as a
 * subprotocol, so neither another local user nor a web page in the same browser can drive the engine. No
 * request, header or frame, however malformed, may take the server down.
 */
export function attachApiSocket(
  server: Server,
  service: AppService | undefined,
  token: string,
  port: () => number
): { closeAll(): void } {
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: () => SESSION_PROTOCOL
  })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener; a reset would otherwise be an uncaught error.
    socket.on('error', () => socket.destroy())
    try {
      if (!service || !authorised(request, token, port())) return refuseUpgrade(socket, 403)
      sockets.handleUpgrade(request, socket, head, (ws) => serve(ws, service))
    } catch {
      refuseUpgrade(socket, 400)
    }
  })
  return { closeAll: () => sockets.clients.forEach((ws) => ws.terminate()) }
}

function authorised(request: IncomingMessage, token: string, port: number): boolean {
  const path = (request.url ?? '').split('?')[0]
  return (
    path === API_PATH &&
    isOwnHost(request.headers.host, port) &&
    isOwnOrigin(request.headers.origin, port) &&
    tokensMatch(token, tokenFromProtocols(request.headers['sec-websocket-protocol']))
  )
}

function serve(ws: WebSocket, service: AppService): void {
  const unsubscribe = service.onEvent((event) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event }))
  })
  ws.on('close', unsubscribe)
  // Invalid frames (bad UTF-8, reserved opcodes, unmasked or oversized frames, bad close codes) end up here,
  // after ws has begun closing the connection with the matching status code; without a listener they would
  // be uncaught and stop the server.
  ws.on('error', () => undefined)
  ws.on('message', (data, isBinary) => {
    void answer(ws, service, data, isBinary)
  })
}

async function answer(ws: WebSocket, service: AppService, data: unknown, isBinary: boolean): Promise<void> {
  let id: unknown = null
  let reply: object
  try {
    if (isBinary) throw new Error('binary messages are not part of the protocol')
    const message = JSON.parse(String(data)) as { id?: unknown; name?: unknown; params?: unknown } | null
    if (typeof message !== 'object' || message === null) throw new Error('a request is a JSON object')
    id = message.id
    if (typeof id !== 'number' && typeof id !== 'string') throw new Error('a request needs an id')
    reply = await service.handle(message.name, message.params)
  } catch (err) {
    reply = {
      ok: false,
      error: { code: 'BAD_INPUT', message: `Invalid request: ${(err as Error).message}.` }
    }
  }
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ...reply }))
}
