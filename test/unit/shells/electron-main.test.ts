import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

/** Records what the Electron main entry does with the (mocked) electron module. */
const electron = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>()
  const windows: { options: Record<string, unknown>; loaded?: string }[] = []
  let headerHook:
    ((details: { responseHeaders: Record<string, string[]> }, cb: (r: unknown) => void) => void) | undefined
  const appHandlers = new Map<string, (...args: unknown[]) => unknown>()
  const sessionHooks: Record<string, (...args: unknown[]) => unknown> = {}
  class BrowserWindow {
    webContents = {
      setWindowOpenHandler: vi.fn(),
      on: vi.fn(),
      send: vi.fn(),
      isDestroyed: () => false
    }
    record: { options: Record<string, unknown>; loaded?: string }
    constructor(options: Record<string, unknown>) {
      this.record = { options }
      windows.push(this.record)
    }
    once() {}
    on() {}
    show() {}
    async loadFile(path: string) {
      this.record.loaded = path
    }
    async loadURL(url: string) {
      this.record.loaded = url
    }
    static getAllWindows() {
      return windows
    }
    static getFocusedWindow() {
      return undefined
    }
  }
  return {
    handlers,
    windows,
    get headerHook() {
      return headerHook
    },
    appHandlers,
    sessionHooks,
    module: {
      app: {
        whenReady: () => Promise.resolve(),
        on: (event: string, handler: (...args: unknown[]) => unknown) => appHandlers.set(event, handler),
        quit: vi.fn(),
        getVersion: () => '9.9.9'
      },
      BrowserWindow,
      ipcMain: {
        handle: (channel: string, handler: (...args: unknown[]) => unknown) => handlers.set(channel, handler)
      },
      dialog: {
        showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/picked/strategy.ckpt'] }))
      },
      shell: { showItemInFolder: vi.fn() },
      session: {
        defaultSession: {
          webRequest: { onHeadersReceived: (hook: typeof headerHook) => (headerHook = hook) },
          setPermissionRequestHandler: (hook: (...args: unknown[]) => unknown) =>
            (sessionHooks.request = hook),
          setPermissionCheckHandler: (hook: (...args: unknown[]) => unknown) => (sessionHooks.check = hook),
          setDevicePermissionHandler: (hook: (...args: unknown[]) => unknown) => (sessionHooks.device = hook)
        }
      }
    }
  }
})

vi.mock('electron', () => electron.module)

describe('Electron main process wiring', () => {
  beforeAll(async () => {
    await import('../../../src-main/shells/electron/main')
    await new Promise((resolve) => setTimeout(resolve, 10))
  })

  afterAll(async () => {
    // Closing the last window closes the app service and its engine processes.
    await electron.appHandlers.get('window-all-closed')!()
  })

  it('opens one sandboxed, isolated window without Node and loads the built renderer', () => {
    expect(electron.windows).toHaveLength(1)
    const { options, loaded } = electron.windows[0]!
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    })
    expect(String((options.webPreferences as { preload: string }).preload)).toMatch(
      /preload[/\\]preload\.js$/
    )
    expect(loaded).toMatch(/renderer[/\\]index\.html$/)
  })

  it('sends a strict Content-Security-Policy with every response', () => {
    let headers: Record<string, string[]> = {}
    electron.headerHook!(
      { responseHeaders: { 'X-Other': ['1'] } },
      (result) => (headers = (result as { responseHeaders: Record<string, string[]> }).responseHeaders)
    )
    expect(headers['Content-Security-Policy']![0]).toContain("script-src 'self'")
    expect(headers['X-Other']).toEqual(['1'])
  })

  it('grants no permission on request or check, but the clipboard write its own renderer uses', () => {
    const own = `file://${electron.windows[0]!.loaded}`
    const request = (permission: string, requestingUrl: string) => {
      let granted: boolean | undefined
      electron.sessionHooks.request!({}, permission, (g: boolean) => (granted = g), {
        requestingUrl,
        isMainFrame: true
      })
      return granted
    }
    const check = (permission: string, requestingUrl?: string) =>
      electron.sessionHooks.check!({}, permission, 'file://', { requestingUrl, isMainFrame: true })
    expect(request('media', own)).toBe(false)
    expect(request('notifications', own)).toBe(false)
    expect(request('clipboard-sanitized-write', own)).toBe(true)
    expect(request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
    expect(check('geolocation', own)).toBe(false)
    expect(check('clipboard-read', own)).toBe(false)
    expect(check('clipboard-sanitized-write', own)).toBe(true)
    expect(check('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
    expect(check('clipboard-sanitized-write')).toBe(false)
    expect(electron.sessionHooks.device!({ deviceType: 'usb', origin: 'file://' })).toBe(false)
  })

  it('keeps every web contents on the app: no navigation, redirect, new window or webview', () => {
    const listeners = new Map<string, (event: { url?: string; preventDefault(): void }) => void>()
    let openHandler: ((details: { url: string }) => unknown) | undefined
    const contents = {
      on: (event: string, listener: (event: { preventDefault(): void }) => void) =>
        listeners.set(event, listener),
      setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler)
    }
    electron.appHandlers.get('web-contents-created')!({}, contents)
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn()
      listeners.get(event)!({ url: 'https://evil.example/', preventDefault })
      expect([event, preventDefault.mock.calls.length]).toEqual([event, 1])
    }
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })

  it('answers requests from its own renderer, validated', async () => {
    const handle = electron.handlers.get('shardscope:request')!
    const ownFrame = { senderFrame: { url: `file://${electron.windows[0]!.loaded}` } }
    expect(await handle(ownFrame, 'app.info', {})).toMatchObject({
      ok: true,
      result: { shell: 'electron', version: '9.9.9', nativeDialogs: true }
    })
    expect(await handle(ownFrame, 'path.pick', { kind: 'file' })).toEqual({
      ok: true,
      result: { paths: ['/picked/strategy.ckpt'] }
    })
    // The native dialog opens in the folder the renderer names, checked like every path it sends.
    await handle(ownFrame, 'path.pick', { kind: 'folder', start: '/data/run-7' })
    expect(electron.module.dialog.showOpenDialog).toHaveBeenLastCalledWith({
      properties: ['openDirectory', 'multiSelections'],
      defaultPath: '/data/run-7'
    })
    expect(await handle(ownFrame, 'path.pick', { kind: 'file', start: '../up' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT' }
    })
    expect(await handle(ownFrame, 'fs.readFile', { path: '/etc/passwd' })).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Invalid request: unknown request "fs.readFile".' }
    })
    expect(await handle(ownFrame, 'path.open', { path: 'relative/path' })).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Invalid request: params.path must be an absolute path.' }
    })
  })

  it('refuses requests from any other frame', async () => {
    const handle = electron.handlers.get('shardscope:request')!
    expect(await handle({ senderFrame: { url: 'https://evil.example/' } }, 'app.info', {})).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Requests are only accepted from the Shardscope window.' }
    })
  })
})
