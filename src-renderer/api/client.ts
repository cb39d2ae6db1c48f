import type {
  AppEvent,
  RequestName,
  RequestParams,
  RequestResult,
  ShardscopeApi
} from '../../src-main/api/contract'

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
  return socketClient()
}

function socketClient(): Client {
  const listeners = new Set<(event: AppEvent) => void>()
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()
  let nextId = 1
  let socket: Promise<WebSocket> | undefined

  // The session token travels as an HttpOnly cookie set when the page was opened with ?token=...
  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`)
      ws.onopen = () => resolve(ws)
      ws.onerror = () => reject(new Error('Cannot reach the Shardscope server; is it still running?'))
      ws.onclose = () => {
        socket = undefined
        for (const request of pending.values())
          request.reject(new Error('The connection to the Shardscope server was lost.'))
        pending.clear()
      }
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as
          | { event: AppEvent }
          | { id: number; ok: true; result: unknown }
          | { id: number; ok: false; error: { code: string; message: string } }
        if ('event' in data) {
          listeners.forEach((l) => l(data.event))
          return
        }
        const request = pending.get(data.id)
        if (!request) return
        pending.delete(data.id)
        if (data.ok) request.resolve(data.result)
        else request.reject(Object.assign(new Error(data.error.message), { code: data.error.code }))
      }
    })

  return {
    shell: 'browser',
    async request<K extends RequestName>(name: K, params: RequestParams<K>): Promise<RequestResult<K>> {
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
      return () => listeners.delete(listener)
    }
  }
}

export const client = createClient()
