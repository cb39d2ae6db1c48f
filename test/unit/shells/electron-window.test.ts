import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => ({}))

import {
  CONTENT_SECURITY_POLICY,
  secureWindowOptions
} from '../../../src-main/shells/electron/window-options'

describe('Electron window options', () => {
  it('sandbox the renderer with context isolation and no Node integration', () => {
    const options = secureWindowOptions('/app/preload.js')
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false
    })
  })

  it('use a strict content security policy: no eval, no inline scripts, no remote origins', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/)
        return [name, values]
      })
    )
    expect(directives['default-src']).toEqual(["'self'"])
    expect(directives['script-src']).toEqual(["'self'"])
    expect(directives['object-src']).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/)
  })
})
