import { app, BrowserWindow, session } from 'electron'
import { join } from 'node:path'
import { CONTENT_SECURITY_POLICY, secureWindowOptions } from './window-options'

async function createWindow(): Promise<void> {
  const window = new BrowserWindow(secureWindowOptions(join(__dirname, '../preload/preload.js')))
  window.once('ready-to-show', () => window.show())
  // Links never open inside the app window.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  const devServer = process.env['ELECTRON_RENDERER_URL']
  if (devServer) await window.loadURL(devServer)
  else await window.loadFile(join(__dirname, '../renderer/index.html'))
}

app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] }
    })
  })
  await createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
