/** Browser mode binds to loopback only; the Host header must name it too, which defeats DNS rebinding. */
export const HOST = '127.0.0.1'

/** The two names a local browser may use for us; anything else is another site, or a rebound DNS name. */
export function ownOrigins(port: number): string[] {
  return [`http://${HOST}:${port}`, `http://localhost:${port}`]
}

export function isOwnHost(host: string | undefined, port: number): boolean {
  return ownOrigins(port).some((origin) => host === origin.slice('http://'.length))
}

/** An Origin header is the browser's word on which page made a request; only our own pages may use the API. */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  return origin !== undefined && ownOrigins(port).includes(origin)
}
