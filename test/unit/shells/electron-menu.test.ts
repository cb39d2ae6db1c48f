import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { MenuCommand } from '../../../src-main/api/contract'

/** Just enough of Electron for main.ts to start; the menu module is what this file watches. */
const electron = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>()
  const menus: { template: MenuItemConstructorOptions[] }[] = []
  const sent: unknown[] = []
  class BrowserWindow {
    webContents = {
      setWindowOpenHandler: () => undefined,
      on: () => undefined,
      send: (_channel: string, event: unknown) => sent.push(event),
      isDestroyed: () => false
    }
    loaded = ''
    once() {}
    on() {}
    async loadFile(path: string) {
      this.loaded = path
    }
    static instances: BrowserWindow[] = []
    static getAllWindows() {
      return BrowserWindow.instances
    }
    static getFocusedWindow() {
      return undefined
    }
    constructor() {
      BrowserWindow.instances.push(this)
    }
  }
  return {
    handlers,
    menus,
    sent,
    BrowserWindow,
    module: {
      app: {
        whenReady: () => Promise.resolve(),
        on: () => undefined,
        quit: () => undefined,
        getVersion: () => '1.2.3'
      },
      BrowserWindow,
      ipcMain: {
        handle: (channel: string, handler: (...args: unknown[]) => unknown) => handlers.set(channel, handler)
      },
      dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
      shell: { showItemInFolder: () => undefined },
      Menu: {
        buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }),
        setApplicationMenu: (menu: { template: MenuItemConstructorOptions[] }) => menus.push(menu)
      },
      session: {
        defaultSession: {
          webRequest: { onHeadersReceived: () => undefined },
          setPermissionRequestHandler: () => undefined,
          setPermissionCheckHandler: () => undefined,
          setDevicePermissionHandler: () => undefined
        }
      }
    }
  }
})

vi.mock('electron', () => electron.module)

const COMMANDS: MenuCommand[] = [
  { id: 'open.file', label: 'Open file…', menu: 'file', accelerator: 'CmdOrCtrl+O' },
  { id: 'workspace.close', label: 'Close', menu: 'file', accelerator: 'CmdOrCtrl+W' },
  { id: 'recent:/data/ckpt', label: '/data/ckpt', menu: 'recent' },
  { id: 'view.strategy', label: 'Strategy explorer', menu: 'view', accelerator: 'Alt+2' },
  { id: 'help.shortcuts', label: 'Keyboard shortcuts', menu: 'help' },
  { id: 'help.about', label: 'About Shardscope', menu: 'help' }
]

function submenu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  return template.find((m) => m.label === label)!.submenu as MenuItemConstructorOptions[]
}

describe('the application menu', () => {
  it('lays out File, Edit, View and Help from the commands, with accelerators', async () => {
    const { menuTemplate } = await import('../../../src-main/shells/electron/menu')
    const template = menuTemplate(COMMANDS, () => undefined, 'linux')
    expect(template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help'])
    const file = submenu(template, '&File')
    expect(file.slice(0, 2).map((m) => [m.label, m.accelerator])).toEqual([
      ['Open file…', 'CmdOrCtrl+O'],
      ['Close', 'CmdOrCtrl+W']
    ])
    expect((file[2]!.submenu as MenuItemConstructorOptions[]).map((m) => m.label)).toEqual(['/data/ckpt'])
    expect(file.at(-1)).toEqual({ role: 'quit' })
    expect(submenu(template, '&View')[0]).toMatchObject({ label: 'Strategy explorer', accelerator: 'Alt+2' })
    expect(submenu(template, '&Help').map((m) => m.label)).toEqual(['Keyboard shortcuts', 'About Shardscope'])
    expect(menuTemplate(COMMANDS, () => undefined, 'darwin')[0]).toEqual({ role: 'appMenu' })
  })

  it('says so when there is nothing recent', async () => {
    const { menuTemplate } = await import('../../../src-main/shells/electron/menu')
    const file = submenu(
      menuTemplate(
        COMMANDS.filter((c) => c.menu !== 'recent'),
        () => undefined
      ),
      '&File'
    )
    expect(file[2]!.submenu).toEqual([{ label: 'No recent items', enabled: false }])
  })

  it('is installed by main when the renderer registers its commands, and sends a chosen one back', async () => {
    await import('../../../src-main/shells/electron/main')
    await new Promise((resolve) => setTimeout(resolve, 10))
    const window = electron.BrowserWindow.instances[0]!
    const handle = electron.handlers.get('shardscope:request')!
    const frame = { senderFrame: { url: `file://${window.loaded}` } }
    expect(await handle(frame, 'menu.set', { commands: COMMANDS })).toEqual({
      ok: true,
      result: { installed: true }
    })
    const template = electron.menus.at(-1)!.template
    const open = submenu(template, '&File')[0]!
    ;(open.click as () => void)()
    expect(electron.sent).toContainEqual({ type: 'menu.command', id: 'open.file' })
  })
})
