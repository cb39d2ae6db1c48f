import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron'
import { join } from 'node:path'
import { AppService } from '../../services/app-service'
import { guardPermissions, guardWebContents } from './contents-guard'
import { registerIpc, trustedUrlCheck } from './ipc'
import { installMenu } from './menu'
import { CONTENT_SECURITY_POLICY, secureWindowOptions } from './window-options'

const rendererFile = join(__dirname, '../renderer/index.html')
const devServer = process.env['ELECTRON_RENDERER_URL']

const service = new AppService(
  {
    shell: 'electron',
    async pickPaths(kind, start) {
      const window = BrowserWindow.getFocusedWindow()
      const properties: ('openFile' | 'openDirectory' | 'multiSelections')[] = [
        kind === 'file' ? 'openFile' : 'openDirectory',
        'multiSelections'
      ]
      const options = { properties, ...(start ? { defaultPath: start } : {}) }
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options)
      return result.canceled ? [] : result.filePaths
    },
    async reveal(path) {
      shell.showItemInFolder(path)
    },
    setMenu: (commands, run) => installMenu(Menu, commands, run)
  },
  { version: app.getVersion() }
)

const isTrustedUrl = trustedUrlCheck(rendererFile, devServer)
const attachEvents = registerIpc(ipcMain, service, isTrustedUrl)
guardWebContents(app)

async function createWindow(): Promise<void> {
  const window = new BrowserWindow(secureWindowOptions(join(__dirname, '../preload/preload.js')))
  const detach = attachEvents(window.webContents)
  window.on('closed', detach)
  window.once('ready-to-show', () => window.show())
  if (devServer) await window.loadURL(devServer)
  else await window.loadFile(rendererFile)
}

app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] }
    })
  })
  // The renderer never gets camera, notifications or any other permission but the clipboard write it uses.
  guardPermissions(session.defaultSession, isTrustedUrl)
  await createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow()
  })
})

app.on('window-all-closed', () => {
  void service.close()
  if (process.platform !== 'darwin') app.quit()
})
