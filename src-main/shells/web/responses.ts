import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { CONTENT_SECURITY_POLICY } from '../electron/window-options'

/**
 * Headers on every response, errors included: the policy, no sniffing, no referrer, no caching, and no use of
 * our responses by other origins (embedding, framing, opener access).
 */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'X-Frame-Options': 'DENY'
  }
}

/** A plain-text error response; the connection is closed when a request body may still be unread. */
export function deny(
  response: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, string> = {}
): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  response.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    ...extra
  })
  response.end(message + '\n')
}

/** Refuses a WebSocket upgrade on the raw socket (no HTTP response object exists for it). */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return
  const headers = Object.entries({ ...securityHeaders(), Connection: 'close', 'Content-Length': '0' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${headers}\r\n`)
}
