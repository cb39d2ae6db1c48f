import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'

export interface Recorded {
  kind: 'http' | 'websocket'
  method: string
  url: string
  /** Every header exactly as received, names and values. */
  rawHeaders: string[]
}

export interface RecordingServer {
  origin: string
  port: number
  seen: Recorded[]
  close(): Promise<void>
}

// A 1×1 transparent PNG, so an <img> loads for real.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64'
)

/**
 * Another local server, as any program on the machine might run: on 127.0.0.1 like Shardscope, on another
 * port. It records every request and WebSocket handshake it receives, and its page makes the browser contact
 * it every way a page can (fetch, image, WebSocket), so a test can ask whether a credential came along.
 */
export async function startRecordingServer(): Promise<RecordingServer> {
  const seen: Recorded[] = []
  const record = (kind: Recorded['kind'], request: IncomingMessage) =>
    seen.push({ kind, method: request.method ?? '', url: request.url ?? '', rawHeaders: request.rawHeaders })
  const server = createServer((request, response) => {
    record('http', request)
    const path = (request.url ?? '/').split('?')[0]
    if (path === '/img') {
      response.writeHead(200, { 'Content-Type': 'image/png' })
      response.end(PIXEL)
    } else if (path === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      response.end(contactPage())
    } else {
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' })
      response.end('ok')
    }
  })
  const sockets = new WebSocketServer({ noServer: true })
  server.on('upgrade', (request, socket, head) => {
    record('websocket', request)
    socket.on('error', () => socket.destroy())
    sockets.handleUpgrade(request, socket, head, (ws) => ws.close())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.clients.forEach((ws) => ws.terminate())
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Contacts its own server by fetch, image and WebSocket, then sets document.title to "contacted". */
function contactPage(): string {
  return `<!doctype html><title>other server</title><script>
    const done = []
    const mark = (what) => { done.push(what); if (done.length === 3) document.title = 'contacted' }
    fetch('/fetch', { credentials: 'include' }).then(() => mark('fetch'), () => mark('fetch failed'))
    const img = new Image(); img.onload = () => mark('img'); img.onerror = () => mark('img failed'); img.src = '/img'
    const ws = new WebSocket('ws://' + location.host + '/ws')
    ws.onclose = () => mark('websocket')
  </script>`
}
