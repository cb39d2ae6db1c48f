import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { AppService } from '../../../src-main/services/app-service'
import { startWebServer, type RunningWebServer } from '../../../src-main/shells/web/server'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
let running: RunningWebServer | undefined
let service: AppService | undefined
afterEach(async () => {
  await running?.close()
  await service?.close()
  running = undefined
})

async function serve() {
  const dir = join(tempDir(), 'renderer')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html>')
  service = new AppService(
    { shell: 'browser' },
    { recentFile: join(tempDir(), 'recent.json'), sampleCacheRoot: tempDir() }
  )
  running = await startWebServer({ rendererDir: dir, token: 'tok-456', service })
  return running
}

function connect(port: number, headers: Record<string, string>, query = ''): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api${query}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function ask(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))))
    ws.send(typeof message === 'string' ? message : JSON.stringify(message))
  })
}

describe('browser-mode API socket', () => {
  it('refuses a connection without the session token', async () => {
    const { port } = await serve()
    await expect(connect(port, { origin: `http://127.0.0.1:${port}` })).rejects.toThrow('HTTP 403')
    await expect(
      connect(port, { origin: `http://127.0.0.1:${port}`, cookie: 'shardscope_token=wrong' })
    ).rejects.toThrow('HTTP 403')
  })

  it('refuses other origins even with the token (another web page in the same browser)', async () => {
    const { port } = await serve()
    await expect(
      connect(port, { origin: 'https://evil.example', cookie: 'shardscope_token=tok-456' })
    ).rejects.toThrow('HTTP 403')
  })

  it('serves the contract with the token, and validates every request', async () => {
    const { port } = await serve()
    const ws = await connect(port, { origin: `http://127.0.0.1:${port}`, cookie: 'shardscope_token=tok-456' })
    try {
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
      expect(await ask(ws, { name: 'app.info', params: {} })).toMatchObject({
        ok: false,
        error: { message: 'Invalid request: a request needs an id.' }
      })
    } finally {
      ws.close()
    }
  })

  it('also takes the token in the URL', async () => {
    const { port } = await serve()
    const ws = await connect(
      port,
      { origin: `http://localhost:${port}`, host: `localhost:${port}` },
      '?token=tok-456'
    )
    expect(await ask(ws, { id: 'a', name: 'recent.list', params: {} })).toEqual({
      id: 'a',
      ok: true,
      result: []
    })
    ws.close()
  })
})
