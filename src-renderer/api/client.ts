import type {
  AppEvent,
  RequestName,
  RequestParams,
  RequestResult,
  ShardscopeApi
} from '../../src-main/api/contract'
import { API_PATH, SESSION_PROTOCOL, TOKEN_PROTOCOL_PREFIX, UPLOAD_PATH } from '../../src-main/api/contract'
import { sessionToken } from './session-token'

/** What the Electron preload exposes (see src-main/shells/electron/preload.ts). */
interface ElectronBridge {
  shell: 'electron'
  request(name: RequestName, params: unknown): Promise<unknown>
  onEvent(listener: (event: AppEvent) => void): () => void
  pathForFile(file: File): string
}

declare global {
  interface Window {
    shardscope?: ElectronBridge
  }
}

export interface Client extends ShardscopeApi {
  shell: 'electron' | 'browser'
  /** The real path of a dropped file; only Electron can know it. */
  pathForFile?(file: File): string
}

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }

/** The contract over Electron IPC (preload) when present, otherwise over the browser-mode WebSocket. */
export function createClient(): Client {
  const bridge = window.shardscope
  if (bridge) {
    return {
      shell: 'electron',
      request: (name, params) => bridge.request(name, params) as Promise<never>,
      onEvent: (listener) => bridge.onEvent(listener),
      pathForFile: (file) => bridge.pathForFile(file)
    }
  }
  return socketClient(sessionToken())
}

const NO_TOKEN =
  'This page has no Shardscope session token: open the URL that "npm start" or "npm run serve" printed.'

function socketClient(token: string | undefined): Client {
  const listeners = new Set<(event: AppEvent) => void>()
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()
  let nextId = 1
  let socket: Promise<WebSocket> | undefined

  // The token rides as a subprotocol: the page sets it explicitly, so the browser never offers it to another
  // server or on another page's behalf, as it would a cookie.
  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      if (!token) return reject(new Error(NO_TOKEN))
      const ws = new WebSocket(
        `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_PATH}`,
        [SESSION_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token]
      )
      ws.onopen = () => resolve(ws)
      ws.onerror = () =>
        reject(
          new Error(
            'Cannot reach the Shardscope server: is it still running? If it was restarted, open the new URL it printed.'
          )
        )
      ws.onclose = () => {
        socket = undefined
        for (const request of pending.values())
          request.reject(new Error('The connection to the Shardscope server was lost.'))
        pending.clear()
      }
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as { event: AppEvent } | ({ id: number } & Reply)
        if ('event' in data) {
          listeners.forEach((l) => l(data.event))
          return
        }
        const request = pending.get(data.id)
        if (!request) return
        pending.delete(data.id)
        settle(data, request.resolve, request.reject)
      }
    })

  return {
    shell: 'browser',
    async request<K extends RequestName>(name: K, params: RequestParams<K>): Promise<RequestResult<K>> {
      if (name === 'upload.files') return (await upload(token, params)) as RequestResult<K>
      socket ??= connect()
      const ws = await socket
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        ws.send(JSON.stringify({ id, name, params }))
      })
    },
    onEvent(listener) {
      listeners.add(listener)
      socket ??= connect()
      socket.catch(() => undefined)
      return () => listeners.delete(listener)
    }
  }
}

/** Dropped files go to the bounded upload route: one POST, the token in a header. */
async function upload(token: string | undefined, params: unknown): Promise<unknown> {
  if (!token) throw new Error(NO_TOKEN)
  const response = await fetch(UPLOAD_PATH, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params)
  })
  if (!response.ok)
    throw new Error((await response.text()).trim() || `The upload failed (${response.status}).`)
  return new Promise((resolve, reject) =>
    response.json().then((reply: Reply) => settle(reply, resolve, reject))
  )
}

function settle(reply: Reply, resolve: (value: unknown) => void, reject: (err: Error) => void): void {
  if (reply.ok) resolve(reply.result)
  else reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }))
}

export const client = createClient()
