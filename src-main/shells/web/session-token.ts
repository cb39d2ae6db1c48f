import { randomBytes, timingSafeEqual } from 'node:crypto'

/** A per-session secret: whoever can read the printed URL may use the app; nobody else on the machine can. */
export function newSessionToken(): string {
  return randomBytes(24).toString('base64url')
}

export function tokensMatch(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

export const TOKEN_COOKIE = 'shardscope_token'

/** Reads one cookie from a Cookie header without a dependency. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}
