import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { MAX_UPLOAD_REQUEST_BYTES } from '../../../src-main/services/request-validation'
import { oracle } from '../../helpers/fixtures'
import { http, TOKEN, useWebServer } from './web-harness'

const serve = useWebServer()

const strategy = oracle('mp2x4_to_mp4', 'src_strategy.ckpt')
const body = JSON.stringify({
  name: 'src_strategy.ckpt',
  files: [{ relativePath: 'src_strategy.ckpt', data: readFileSync(strategy).toString('base64') }]
})

function post(port: number, headers: Record<string, string>, payload: string | Buffer = body) {
  return http(port, '/api/upload', {
    method: 'POST',
    headers: {
      origin: `http://127.0.0.1:${port}`,
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...headers
    },
    body: payload
  })
}

/** A streaming upload request with our origin and token; the caller writes the body. */
function open(port: number, headers: Record<string, string>) {
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/api/upload',
    method: 'POST',
    headers: {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...headers
    }
  })
  const status = new Promise<number>((resolve) => req.on('response', (res) => resolve(res.statusCode!)))
  req.on('error', () => undefined)
  return { req, status }
}

describe('browser-mode upload route', () => {
  it('opens a dropped file posted with our origin and the token in the Authorization header', async () => {
    const { port } = await serve()
    const answer = await post(port, {})
    expect(answer.status).toBe(200)
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'")
    expect(JSON.parse(answer.body)).toMatchObject({
      ok: true,
      result: { ok: true, kind: 'strategy', detail: expect.stringContaining('parameter layouts') }
    })
  })

  it('refuses other origins, missing or wrong tokens, and the token as a cookie', async () => {
    const { port } = await serve()
    const refused = [
      await post(port, { origin: 'https://evil.example' }),
      await post(port, { origin: `http://127.0.0.1:${port + 1}` }),
      await post(port, { authorization: '' }),
      await post(port, { authorization: 'Bearer wrong' }),
      await post(port, { authorization: '', cookie: `shardscope_token=${TOKEN}` }),
      await post(port, { authorization: `Basic ${TOKEN}` })
    ]
    expect(refused.map((a) => a.status)).toEqual([403, 403, 403, 403, 403, 403])
    expect((await http(port, '/api/upload')).status).toBe(405)
    expect((await post(port, { 'content-type': 'text/plain' })).status).toBe(415)
  })

  it('answers a body that is not JSON, or not an upload, with a sentence', async () => {
    const { port } = await serve()
    expect(JSON.parse((await post(port, {}, '{not json')).body)).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Invalid upload: not JSON.' }
    })
    expect(JSON.parse((await post(port, {}, '{"name": "x", "files": 3}')).body)).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_INPUT',
        message: 'Invalid request: params.files must be a list of at most 10000 items.'
      }
    })
  })

  it('refuses a body announced over the cap before reading it', async () => {
    const { port } = await serve()
    const announced = open(port, { 'content-length': String(MAX_UPLOAD_REQUEST_BYTES + 1) })
    announced.req.write('{')
    expect(await announced.status).toBe(413)
  })

  it('cuts off a streamed body once it passes the cap', async () => {
    const cap = 1024 * 1024
    const { port } = await serve(true, cap)
    // Chunked, with no length announced, and no end in sight: refused once the cap is passed.
    const streamed = open(port, { 'transfer-encoding': 'chunked' })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    for (let sent = 0; sent <= cap; sent += chunk.length) streamed.req.write(chunk)
    expect(await streamed.status).toBe(413)
    streamed.req.destroy()
    expect((await post(port, {})).status).toBe(200)
  })

  it('reads one upload at a time', async () => {
    const { port } = await serve()
    const first = open(port, { 'content-length': String(Buffer.byteLength(body)) })
    first.req.write(body.slice(0, 10))
    // The first body is still arriving: a second upload is turned away rather than buffered beside it.
    await expect.poll(async () => (await post(port, {})).status).toBe(503)
    first.req.end(body.slice(10))
    expect(await first.status).toBe(200)
    expect((await post(port, {})).status).toBe(200)
  })
})
