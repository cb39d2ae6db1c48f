import { describe, expect, it } from 'vitest'
import { http, raw, TOKEN, useWebServer, type Answer } from './web-harness'

const serve = useWebServer()

function expectSecurityHeaders(answer: Answer) {
  expect(answer.headers['content-security-policy']).toContain("script-src 'self'")
  expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(answer.headers['x-content-type-options']).toBe('nosniff')
  expect(answer.headers['cross-origin-resource-policy']).toBe('same-origin')
  expect(answer.headers['set-cookie']).toBeUndefined()
}

describe('browser-mode server', () => {
  it('binds to 127.0.0.1 and prints a link whose token is in the fragment, which browsers never send', async () => {
    const server = await serve(false)
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`)
  })

  it('serves the page files without a token and never sets a cookie (cookies ignore ports)', async () => {
    const { port } = await serve(false)
    const page = await http(port, '/')
    expect([page.status, page.body]).toEqual([200, '<!doctype html><title>app</title>'])
    expectSecurityHeaders(page)
    // The old way in: a token in the query used to be turned into a cookie for every server on 127.0.0.1.
    expect((await http(port, `/?token=${TOKEN}`)).headers['set-cookie']).toBeUndefined()
    const asset = await http(port, '/assets/app.js')
    expect([asset.status, asset.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8'])
  })

  it('puts the security headers on every error response too: 403, 404, 405, 421, 426, 413', async () => {
    const { port } = await serve()
    const answers: [number, Answer][] = [
      [403, await http(port, '/api/upload', { method: 'POST', body: '{}' })],
      [404, await http(port, '/nope.js')],
      [405, await http(port, '/', { method: 'DELETE' })],
      [421, await http(port, '/', { headers: { host: 'attacker.example' } })],
      [426, await http(port, '/api')]
    ]
    for (const [status, answer] of answers) {
      expect(answer.status).toBe(status)
      expectSecurityHeaders(answer)
    }
  })

  it('rejects other host names (DNS rebinding) and paths outside the renderer', async () => {
    const { port } = await serve(false)
    expect((await http(port, '/', { headers: { host: 'attacker.example:80' } })).status).toBe(421)
    expect((await http(port, '/', { headers: { host: `127.0.0.1.attacker.example:${port}` } })).status).toBe(
      421
    )
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '/..%5c..%5csecret.txt',
      '/index.html%00.js',
      '/%E0%A4%A',
      '//etc/passwd',
      `/${'../'.repeat(20)}etc/passwd`
    ]) {
      const answer = await http(port, path)
      expect([path, answer.status]).toEqual([path, 404])
      expect(answer.body).not.toContain('secret')
    }
  })

  it('answers malformed requests, huge headers and bad cookies without going down', async () => {
    const { port } = await serve()
    expect((await http(port, '/', { headers: { cookie: 'shardscope_token=%E0%A4%A' } })).status).toBe(200)
    expect(await raw(port, 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 4\d\d/)
    expect(await raw(port, 'NOT A REQUEST\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/)
    const huge = await raw(
      port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: ${'a'.repeat(100_000)}\r\n\r\n`
    )
    expect(huge).toMatch(/^HTTP\/1\.1 431/)
    expect((await http(port, '/')).status).toBe(200)
  })
})
