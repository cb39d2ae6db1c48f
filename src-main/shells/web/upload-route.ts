import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppService } from '../../services/app-service'
import { MAX_UPLOAD_REQUEST_BYTES } from '../../services/request-validation'
import { isOwnOrigin } from './local-origin'
import { deny, securityHeaders } from './responses'
import { tokenFromAuthorization, tokensMatch } from './session-token'

/**
 * Dropped files in browser mode: one bounded HTTP POST of the `upload.files` request, instead of a message
 * big enough to force a large cap on every WebSocket frame. It needs our origin and the session token in an
 * Authorization header (a header, so a cross-origin page cannot send it without a CORS preflight we never
 * grant), one upload runs at a time, and a body over the cap is cut off before it is read in full.
 */
export function uploadRoute(
  service: AppService | undefined,
  token: string,
  port: () => number,
  maxBytes = MAX_UPLOAD_REQUEST_BYTES
) {
  let busy = false
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return deny(response, 405, 'Method not allowed.', { Allow: 'POST' })
    if (!service || !isOwnOrigin(request.headers.origin, port()))
      return deny(response, 403, 'Uploads are only accepted from the Shardscope page.')
    if (!tokensMatch(token, tokenFromAuthorization(request.headers.authorization)))
      return deny(response, 403, 'This upload lacks the session token.')
    if (!/^application\/json(;|$)/.test(request.headers['content-type'] ?? ''))
      return deny(response, 415, 'An upload is a JSON body.')
    const declared = Number(request.headers['content-length'] ?? 0)
    if (declared > maxBytes) return tooLarge(response, maxBytes)
    if (busy) return deny(response, 503, 'Another upload is still being read; try again when it is done.')
    busy = true
    try {
      const body = await readBody(request, maxBytes)
      if (body === undefined) return tooLarge(response, maxBytes)
      let params: unknown
      try {
        params = JSON.parse(body.toString('utf8'))
      } catch {
        return reply(response, {
          ok: false,
          error: { code: 'BAD_INPUT', message: 'Invalid upload: not JSON.' }
        })
      }
      reply(response, await service.handle('upload.files', params))
    } finally {
      busy = false
    }
  }
}

function reply(response: ServerResponse, body: object): void {
  response.writeHead(200, { ...securityHeaders(), 'Content-Type': 'application/json; charset=utf-8' })
  response.end(JSON.stringify(body))
}

function tooLarge(response: ServerResponse, maxBytes: number): void {
  deny(
    response,
    413,
    `Dropped items are limited to ${Math.floor(maxBytes / 1048576)} MiB per upload in browser mode; open bigger ones by their path.`,
    { Connection: 'close' }
  )
}

/** The whole body, or undefined as soon as it exceeds `limit` (the rest is never buffered). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        chunks.length = 0
        request.removeAllListeners('data')
        request.pause()
        resolve(undefined)
      } else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
    request.on('close', () => {
      if (!request.complete) reject(new Error('the upload was cut off'))
    })
  })
}
