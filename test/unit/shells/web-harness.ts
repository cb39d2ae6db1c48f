import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect as tcpConnect, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { AppService } from '../../../src-main/services/app-service'
import { startWebServer, type RunningWebServer } from '../../../src-main/shells/web/server'
import { useTempDirs } from '../../helpers/temp-dir'

export const TOKEN = 'tok-456'
export const PROTOCOLS = ['shardscope.v1', `shardscope.token.${TOKEN}`]

export interface Served extends RunningWebServer {
  origin: string
}

/** A browser-mode server on a scratch renderer folder, with (or without) the real app service. */
export function useWebServer(): (withService?: boolean, maxUploadBytes?: number) => Promise<Served> {
  const tempDir = useTempDirs()
  let running: RunningWebServer | undefined
  let service: AppService | undefined
  afterEach(async () => {
    await running?.close()
    await service?.close()
    running = service = undefined
  })
  return async (withService = true, maxUploadBytes?: number) => {
    const root = tempDir()
    const dir = join(root, 'renderer')
    mkdirSync(join(dir, 'assets'), { recursive: true })
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(root, 'secret.txt'), 'secret')
    service = withService
      ? new AppService({ shell: 'browser' }, { recentFile: join(root, 'recent.json'), sampleCacheRoot: root })
      : undefined
    running = await startWebServer({
      rendererDir: dir,
      token: TOKEN,
      ...(service ? { service } : {}),
      ...(maxUploadBytes ? { maxUploadBytes } : {})
    })
    return { ...running, origin: `http://127.0.0.1:${running.port}` }
  }
}

export interface Answer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** One HTTP request with full control of method, headers and body. */
export function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers }
      },
      (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Bytes exactly as given, and everything the server sends back until it closes the connection. */
export function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => (text += chunk.toString('latin1')))
    socket.on('error', () => resolve(text))
    socket.on('close', () => resolve(text))
    socket.end(bytes)
  })
}

export function wsConnect(
  port: number,
  options: { headers?: Record<string, string>; protocols?: string[]; path?: string } = {}
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/api'}`, options.protocols ?? [], {
      headers: { origin: `http://127.0.0.1:${port}`, ...options.headers }
    })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

export function ask(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))))
    ws.send(typeof message === 'string' ? message : JSON.stringify(message))
  })
}

/** A WebSocket opened by hand over TCP, so a test can send frames no client library would. */
export function handshake(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1')
    socket.once('error', reject)
    socket.write(
      'GET /api HTTP/1.1\r\n' +
        `Host: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        `Sec-WebSocket-Protocol: ${PROTOCOLS.join(', ')}\r\n\r\n`
    )
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      if (head.startsWith('HTTP/1.1 101')) resolve(socket)
      else reject(new Error(head.split('\r\n')[0]))
    }
    socket.on('data', onData)
  })
}

/** A client frame: masked unless told otherwise, with a 7-bit, 16-bit or 64-bit length as needed. */
export function frame(
  opcode: number,
  payload: Buffer,
  options: { masked?: boolean; length?: bigint } = {}
): Buffer {
  const masked = options.masked ?? true
  const length = options.length ?? BigInt(payload.length)
  const head = [0x80 | opcode]
  const maskBit = masked ? 0x80 : 0
  let extended = Buffer.alloc(0)
  if (length < 126n) head.push(maskBit | Number(length))
  else if (length < 65536n) {
    head.push(maskBit | 126)
    extended = Buffer.alloc(2)
    extended.writeUInt16BE(Number(length))
  } else {
    head.push(maskBit | 127)
    extended = Buffer.alloc(8)
    extended.writeBigUInt64BE(length)
  }
  const mask = masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0)
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ mask[i % 4]! : b)))
  return Buffer.concat([Buffer.from(head), extended, mask, body])
}

/**
 * Writes bytes on an open WebSocket and returns the close code the server answers with, or undefined when it
 * closes the connection without one.
 */
export function closeCodeAfter(socket: Socket, bytes: Buffer): Promise<number | undefined> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      // Server frames are unmasked: a close frame is 0x88, a length, then the two-byte code.
      const at = received.indexOf(0x88)
      if (at >= 0 && received.length >= at + 4) {
        resolve(received.readUInt16BE(at + 2))
        socket.destroy()
      }
    })
    socket.on('close', () => resolve(undefined))
    socket.on('error', () => undefined)
    socket.write(bytes)
  })
}
