import { describe, expect, it } from 'vitest'
import {
  ask,
  closeCodeAfter,
  frame,
  handshake,
  PROTOCOLS,
  raw,
  TOKEN,
  useWebServer,
  wsConnect
} from './web-harness'
import { MAX_MESSAGE_BYTES } from '../../../src-main/shells/web/api-socket'

const serve = useWebServer()

function upgrade(port: number, headers: Record<string, string>, target = '/api'): string {
  const lines = {
    Host: `127.0.0.1:${port}`,
    Origin: `http://127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers
  }
  return `GET ${target} HTTP/1.1\r\n${Object.entries(lines)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`
}

async function stillServing(port: number) {
  const ws = await wsConnect(port, { protocols: PROTOCOLS })
  expect(await ask(ws, { id: 9, name: 'recent.list', params: {} })).toEqual({ id: 9, ok: true, result: [] })
  ws.close()
}

describe('browser-mode API socket: who may connect', () => {
  it('refuses a connection without the session token, or with the token anywhere but the subprotocol', async () => {
    const { port } = await serve()
    await expect(wsConnect(port)).rejects.toThrow('HTTP 403')
    await expect(wsConnect(port, { protocols: ['shardscope.v1', 'shardscope.token.wrong'] })).rejects.toThrow(
      'HTTP 403'
    )
    // The token without our protocol name, or in the places browsers attach on their own, is not enough.
    await expect(wsConnect(port, { protocols: [`shardscope.token.${TOKEN}`] })).rejects.toThrow('HTTP 403')
    await expect(wsConnect(port, { headers: { cookie: `shardscope_token=${TOKEN}` } })).rejects.toThrow(
      'HTTP 403'
    )
    await expect(wsConnect(port, { path: `/api?token=${TOKEN}` })).rejects.toThrow('HTTP 403')
  })

  it('refuses other origins and other host names even with the token', async () => {
    const { port } = await serve()
    await expect(
      wsConnect(port, { protocols: PROTOCOLS, headers: { origin: 'https://evil.example' } })
    ).rejects.toThrow('HTTP 403')
    await expect(
      wsConnect(port, { protocols: PROTOCOLS, headers: { origin: `http://127.0.0.1:${port + 1}` } })
    ).rejects.toThrow('HTTP 403')
    await expect(
      wsConnect(port, { protocols: PROTOCOLS, headers: { host: `rebound.example:${port}` } })
    ).rejects.toThrow('HTTP 403')
  })

  it('answers a bad percent-encoded cookie, a bad target or a bad protocol list with a refusal, not a crash', async () => {
    const { port } = await serve()
    for (const bytes of [
      upgrade(port, { Cookie: 'shardscope_token=%E0%A4%A' }),
      upgrade(port, { Cookie: '%ZZ=%' }),
      upgrade(port, {}, 'http://['),
      upgrade(port, { 'Sec-WebSocket-Protocol': ',,, ;;' }),
      upgrade(port, { 'Sec-WebSocket-Protocol': `${PROTOCOLS.join(', ')}` }, '/api/../api'),
      upgrade(port, { 'Sec-WebSocket-Protocol': PROTOCOLS.join(', '), 'Sec-WebSocket-Version': '99' })
    ]) {
      expect(await raw(port, bytes)).toMatch(/^HTTP\/1\.1 4\d\d /)
    }
    await stillServing(port)
  })

  it('survives clients that reset the connection during a refused upgrade', async () => {
    const { port } = await serve()
    const { connect } = await import('node:net')
    await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.write(upgrade(port, {}))
              socket.resetAndDestroy()
            })
            socket.on('close', () => resolve())
            socket.on('error', () => resolve())
          })
      )
    )
    await stillServing(port)
  })
})

describe('browser-mode API socket: what it serves', () => {
  it('serves the contract with the token, selects our protocol, and validates every request', async () => {
    const { port } = await serve()
    const ws = await wsConnect(port, { protocols: PROTOCOLS })
    try {
      expect(ws.protocol).toBe('shardscope.v1')
      expect(await ask(ws, { id: 1, name: 'app.info', params: {} })).toMatchObject({
        id: 1,
        ok: true,
        result: { shell: 'browser', nativeDialogs: false }
      })
      expect(await ask(ws, { id: 2, name: 'path.open', params: { path: 'relative' } })).toEqual({
        id: 2,
        ok: false,
        error: { code: 'BAD_INPUT', message: 'Invalid request: params.path must be an absolute path.' }
      })
      expect(await ask(ws, { id: 3, name: 'process.exit', params: {} })).toMatchObject({
        id: 3,
        ok: false,
        error: { code: 'BAD_INPUT' }
      })
      expect(await ask(ws, 'not json')).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
      expect(await ask(ws, 'null')).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
      expect(await ask(ws, { name: 'app.info', params: {} })).toMatchObject({
        ok: false,
        error: { message: 'Invalid request: a request needs an id.' }
      })
    } finally {
      ws.close()
    }
  })

  it('fits the largest legitimate request under the frame cap', async () => {
    const { port } = await serve()
    // Every string at its validated maximum, in characters JSON must escape as six bytes each.
    const path = '/' + '\u0001'.repeat(4095)
    const request = {
      id: 1,
      name: 'plan.create',
      params: {
        source: { folder: path, strategy: path },
        destination: { folder: path, strategy: path },
        options: { format: 'ckpt', dtype: '\u0001'.repeat(32), exclude: '\u0001'.repeat(1000), crc: true }
      }
    }
    const bytes = Buffer.byteLength(JSON.stringify(request))
    expect(bytes).toBeGreaterThan(100_000)
    expect(bytes).toBeLessThan(MAX_MESSAGE_BYTES)
    const ws = await wsConnect(port, { protocols: PROTOCOLS })
    const reply = await ask(ws, request)
    // It arrives and is answered (the paths do not exist), rather than cutting the connection.
    expect(reply).toMatchObject({ id: 1, ok: false })
    ws.close()
  })
})

describe('browser-mode API socket: malformed frames close the connection, never the server', () => {
  const cases: [string, Buffer, number][] = [
    ['invalid UTF-8 in a text frame', frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
    ['a reserved opcode', frame(0x3, Buffer.from('x')), 1002],
    ['an unmasked client frame', frame(0x1, Buffer.from('{}'), { masked: false }), 1002],
    ['a length over the cap', frame(0x1, Buffer.alloc(0), { length: BigInt(MAX_MESSAGE_BYTES + 1) }), 1009],
    ['a 2^63 length', frame(0x1, Buffer.alloc(0), { length: 1n << 63n }), 1009],
    ['close code 1005, which must never be sent', frame(0x8, Buffer.from([0x03, 0xed])), 1002],
    ['a fragmented control frame', Buffer.from([0x09, 0x80, 1, 2, 3, 4]), 1002]
  ]
  for (const [what, bytes, code] of cases) {
    it(`${what}: closed with ${code}`, async () => {
      const { port } = await serve()
      const socket = await handshake(port)
      expect(await closeCodeAfter(socket, bytes)).toBe(code)
      await stillServing(port)
    })
  }

  it('a binary message is answered with an error', async () => {
    const { port } = await serve()
    const ws = await wsConnect(port, { protocols: PROTOCOLS })
    const reply = await new Promise((resolve) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))))
      ws.send(Buffer.from([1, 2, 3]))
    })
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    ws.close()
  })
})
