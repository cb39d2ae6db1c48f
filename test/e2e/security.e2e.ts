import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { screenshot, startApp, type App } from './harness'
import { startRecordingServer, type RecordingServer } from './recording-server'

// Used only inside page.evaluate callbacks, which run in Chromium.
declare const document: { title: string; createElement(tag: 'img'): { src: string } }
declare const sessionStorage: { length: number }
declare class WebSocket {
  constructor(url: string, protocols?: string[])
  onopen: () => void
  onerror: () => void
}

let app: App
let other: RecordingServer
let port: number
let token: string

beforeAll(async () => {
  app = await startApp()
  other = await startRecordingServer()
  const link = new URL(app.url)
  port = Number(link.port)
  token = new URLSearchParams(link.hash.slice(1)).get('token')!
  await app.page.goto(app.url)
  await app.page.getByTestId('opened-item').first().waitFor()
})

afterAll(async () => {
  await other?.close()
  await app?.close()
})

/** Whether a WebSocket to our API opens from the current page, with these subprotocols. */
function tryApi(protocols: string[]) {
  return app.page.evaluate(
    ({ url, protocols }) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, protocols)
        ws.onopen = () => resolve('opened')
        ws.onerror = () => resolve('refused')
      }),
    { url: `ws://127.0.0.1:${port}/api`, protocols }
  )
}

describe('the session credential in a real browser', () => {
  it('comes from the link, leaves the address bar, sets no cookie, and survives a reload', async () => {
    const { page } = app
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`)
    expect(await page.context().cookies()).toEqual([])
    await page.reload()
    await page.getByTestId('opened-item').first().waitFor()
    expect(page.url()).not.toContain(token)
  })

  it('reaches no other server on 127.0.0.1: by navigation, fetch, image or WebSocket', async () => {
    const { page } = app
    // From the app's own page the policy allows no contact with another origin at all.
    const fromApp = await page.evaluate(async (target) => {
      const results: string[] = []
      await fetch(`${target}/fetch-from-app`).then(
        () => results.push('fetch went out'),
        () => results.push('fetch blocked')
      )
      document.createElement('img').src = `${target}/img-from-app`
      return results
    }, other.origin)
    expect(fromApp).toEqual(['fetch blocked'])
    // Then the same tab goes to the other server, whose page contacts it every way a page can.
    await page.goto(`${other.origin}/`)
    await expect.poll(() => page.evaluate(() => document.title)).toBe('contacted')
    const second = await page.context().newPage()
    await second.goto(`${other.origin}/?second-tab`)
    await expect.poll(() => second.evaluate(() => document.title)).toBe('contacted')
    await second.close()

    const kinds = other.seen.map((r) => `${r.kind} ${r.url}`)
    expect(kinds).toEqual(
      expect.arrayContaining(['http /', 'http /fetch', 'http /img', 'websocket /ws', 'http /?second-tab'])
    )
    for (const request of other.seen) {
      const everything = [request.url, ...request.rawHeaders].join('\n')
      expect(everything).not.toContain(token)
      expect(request.rawHeaders.map((h) => h.toLowerCase())).not.toContain('cookie')
    }
  })

  it('cannot be replaced by a page of another origin, which cannot open the API', async () => {
    const { page } = app
    await page.goto(`${other.origin}/`)
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
    expect(await tryApi(['shardscope.v1'])).toBe('refused')
    expect(await tryApi(['shardscope.v1', 'shardscope.token.guessed'])).toBe('refused')
    // Even holding the real token, another origin is refused: the server checks who is asking.
    expect(await tryApi(['shardscope.v1', `shardscope.token.${token}`])).toBe('refused')
  })

  it('comes back in the same tab without the link, from sessionStorage', async () => {
    const { page } = app
    await page.goto(`http://127.0.0.1:${port}/`)
    await page.getByTestId('opened-item').first().waitFor()
    expect(await tryApi(['shardscope.v1', `shardscope.token.${token}`])).toBe('opened')
  })

  it('in a new tab without the link, says how to get in', async () => {
    const fresh = await app.page.context().newPage()
    await fresh.goto(`http://127.0.0.1:${port}/`)
    await expect
      .poll(() => fresh.getByRole('alert').innerText())
      .toContain('This page has no Shardscope session token')
    await screenshot(fresh, '20-no-session-token')
    await fresh.close()
  })
})
