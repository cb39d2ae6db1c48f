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

  it('refuses a body over the cap, announced or streamed, without reading it all', async () => {
    const { port } = await serve()
    const announced = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/upload',
          method: 'POST',
          headers: {
            host: `127.0.0.1:${port}`,
            origin: `http://127.0.0.1:${port}`,
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            'content-length': String(MAX_UPLOAD_REQUEST_BYTES + 1)
          }
        },
        (res) => resolve(res.statusCode!)
      )
      req.on('error', reject)
      req.write('{')
    })
    expect(announced).toBe(413)
    // Chunked, with no length announced: cut off once the cap is passed.
    const streamed = await new Promise<number>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/upload',
          method: 'POST',
          headers: {
            host: `127.0.0.1:${port}`,
            origin: `http://127.0.0.1:${port}`,
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked'
          }
        },
        (res) => resolve(res.statusCode!)
      )
      req.on('error', () => undefined)
      const chunk = Buffer.alloc(4 * 1024 * 1024, 0x20)
      let sent = 0
      const pump = () => {
        while (sent <= MAX_UPLOAD_REQUEST_BYTES + chunk.length) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    expect(streamed).toBe(413)
    expect((await post(port, {})).status).toBe(200)
  })

  it('reads one upload at a time', async () => {
    const { port } = await serve()
    const first = request({
      host: '127.0.0.1',
      port,
      path: '/api/upload',
      method: 'POST',
      headers: {
        host: `127.0.0.1:${port}`,
        origin: `http://127.0.0.1:${port}`,
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body))
      }
    })
    const firstStatus = new Promise<number>((resolve) =>
      first.on('response', (res) => resolve(res.statusCode!))
    )
    first.write(body.slice(0, 10))
    // The first body is still arriving: a second upload is turned away rather than buffered beside it.
    await expect.poll(async () => (await post(port, {})).status).toBe(503)
    first.end(body.slice(10))
    expect(await firstStatus).toBe(200)
    expect((await post(port, {})).status).toBe(200)
  })
})
