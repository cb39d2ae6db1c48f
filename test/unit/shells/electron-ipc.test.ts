import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => ({}))

import { trustedUrlCheck } from '../../../src-main/shells/electron/ipc'

describe('IPC sender validation', () => {
  it('trusts the packaged renderer file, with or without a fragment, and nothing beside it', () => {
    const trusted = trustedUrlCheck('/opt/shardscope/out/renderer/index.html', undefined)
    expect(trusted('file:///opt/shardscope/out/renderer/index.html')).toBe(true)
    expect(trusted('file:///opt/shardscope/out/renderer/index.html#/planner')).toBe(true)
    expect(trusted('file:///opt/shardscope/out/renderer/index.html.evil')).toBe(false)
    expect(trusted('file:///tmp/evil.html')).toBe(false)
    expect(trusted('http://localhost:5173/')).toBe(false)
  })

  it('trusts the dev server by exact origin, not by prefix', () => {
    const trusted = trustedUrlCheck('/app/index.html', 'http://localhost:5173')
    expect(trusted('http://localhost:5173/')).toBe(true)
    expect(trusted('http://localhost:5173/src/main.tsx?t=1')).toBe(true)
    for (const url of [
      'http://localhost:5173.evil.example/',
      'http://localhost:51730/',
      'http://localhost:5173@evil.example/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'file:///app/other.html',
      'not a url'
    ])
      expect([url, trusted(url)]).toEqual([url, false])
  })
})
