import { randomBytes, timingSafeEqual } from 'node:crypto'
import { SESSION_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../api/contract'

/**
 * A per-session secret: whoever can read the printed URL may use the app; nobody else on the machine can. It
 * never travels in a cookie (cookies are not scoped by port, so every other server on 127.0.0.1 would receive
 * it): the page keeps it in sessionStorage and attaches it explicitly to each API call.
 */
export function newSessionToken(): string {
  return randomBytes(24).toString('base64url')
}

export function tokensMatch(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token a WebSocket offered as a subprotocol (`shardscope.token.<token>`), beside `shardscope.v1`. */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map((p) => p.trim())
  if (!offered.includes(SESSION_PROTOCOL)) return undefined
  const carrier = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))
  return carrier?.slice(TOKEN_PROTOCOL_PREFIX.length)
}

/** The token of an `Authorization: Bearer <token>` header (the upload route). */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header ?? '')
  return match?.[1]
}
