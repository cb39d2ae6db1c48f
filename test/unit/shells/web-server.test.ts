import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startWebServer, type RunningWebServer } from '../../../src-main/shells/web/server'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
let running: RunningWebServer | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number
    body: string
    headers: Record<string, string | string[] | undefined>
  }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

async function serve() {
  const dir = join(tempDir(), 'renderer')
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(dir, '..', 'secret.txt'), 'secret')
  running = await startWebServer({ rendererDir: dir, token: 'tok-123' })
  return running
}

describe('browser-mode server', () => {
  it('binds to 127.0.0.1 and prints a URL with the session token', async () => {
    const server = await serve()
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=tok-123`)
  })

  it('refuses requests without the token, or with a wrong one', async () => {
    const { port } = await serve()
    expect((await get(port, '/')).status).toBe(403)
    expect((await get(port, '/?token=nope')).status).toBe(403)
    expect((await get(port, '/assets/app.js', { cookie: 'shardscope_token=wrong' })).status).toBe(403)
  })

  it('serves with the token and sets an HttpOnly same-site cookie for the page assets', async () => {
    const { port } = await serve()
    const page = await get(port, '/?token=tok-123')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>app</title>')
    expect(page.headers['set-cookie']?.[0]).toBe(
      'shardscope_token=tok-123; HttpOnly; SameSite=Strict; Path=/'
    )
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    const asset = await get(port, '/assets/app.js', { cookie: 'shardscope_token=tok-123' })
    expect([asset.status, asset.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8'])
  })

  it('rejects other host names (DNS rebinding) and paths outside the renderer', async () => {
    const { port } = await serve()
    expect((await get(port, '/?token=tok-123', { host: 'attacker.example:80' })).status).toBe(421)
    expect((await get(port, '/../secret.txt?token=tok-123')).status).toBe(404)
    expect((await get(port, '/%2e%2e/secret.txt?token=tok-123')).status).toBe(404)
  })
})
