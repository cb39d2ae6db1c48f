import type { App, Session } from 'electron'

/** The one permission the renderer uses: writing text to the clipboard (Copy buttons). */
const RENDERER_PERMISSIONS = new Set(['clipboard-sanitized-write'])

/**
 * Every web contents the app ever gets, its window and anything a page might try to create, stays on the app:
 * no navigation or redirect anywhere (the renderer is one page), no new windows, no <webview>.
 */
export function guardWebContents(app: Pick<App, 'on'>): void {
  app.on('web-contents-created', (_event, contents) => {
    const refuse = (event: { preventDefault(): void }) => event.preventDefault()
    contents.on('will-navigate', refuse)
    contents.on('will-frame-navigate', refuse)
    contents.on('will-redirect', refuse)
    contents.on('will-attach-webview', refuse)
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}

/**
 * Permission requests and checks both answer no, except the clipboard write our own renderer needs; device
 * access (HID, serial, USB) is refused outright.
 */
export function guardPermissions(session: Session, isTrustedUrl: (url: string) => boolean): void {
  const allowed = (permission: string, url: string | undefined) =>
    RENDERER_PERMISSIONS.has(permission) && url !== undefined && isTrustedUrl(url)
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowed(permission, details.requestingUrl))
  )
  session.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    allowed(permission, details.requestingUrl)
  )
  session.setDevicePermissionHandler(() => false)
}
