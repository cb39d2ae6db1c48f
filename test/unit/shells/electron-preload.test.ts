import { describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => {
  const exposed: Record<string, unknown> = {}
  const invoke = vi.fn()
  const listeners = new Map<string, (...args: unknown[]) => void>()
  return {
    exposed,
    invoke,
    listeners,
    module: {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke,
        on: (channel: string, listener: (...args: unknown[]) => void) => listeners.set(channel, listener),
        removeListener: (channel: string) => listeners.delete(channel)
      },
      webUtils: { getPathForFile: () => '/dropped/strategy.ckpt' }
    }
  }
})

vi.mock('electron', () => electron.module)

describe('preload bridge', () => {
  it('exposes a small typed API: no ipcRenderer, no fs, no require', async () => {
    await import('../../../src-main/shells/electron/preload')
    const bridge = electron.exposed['shardscope'] as Record<string, unknown>
    expect(Object.keys(electron.exposed)).toEqual(['shardscope'])
    expect(Object.keys(bridge).sort()).toEqual(['onEvent', 'pathForFile', 'request', 'shell'])
  })

  it('sends requests on the one request channel and turns error replies into errors', async () => {
    const bridge = electron.exposed['shardscope'] as {
      request(name: string, params: unknown): Promise<unknown>
    }
    electron.invoke.mockResolvedValueOnce({ ok: true, result: { shell: 'electron' } })
    expect(await bridge.request('app.info', {})).toEqual({ shell: 'electron' })
    expect(electron.invoke).toHaveBeenCalledWith('shardscope:request', 'app.info', {})
    electron.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Invalid request: params.path must be an absolute path.' }
    })
    await expect(bridge.request('path.open', { path: 'x' })).rejects.toThrow(
      'params.path must be an absolute path'
    )
  })

  it('delivers events and gives dropped files their paths', async () => {
    const bridge = electron.exposed['shardscope'] as {
      onEvent(l: (e: unknown) => void): () => void
      pathForFile(f: unknown): string
    }
    const seen: unknown[] = []
    const off = bridge.onEvent((e) => seen.push(e))
    electron.listeners.get('shardscope:event')!(
      {},
      { type: 'job.failed', jobId: 'j', state: 'cancelled', message: 'm' }
    )
    expect(seen).toEqual([{ type: 'job.failed', jobId: 'j', state: 'cancelled', message: 'm' }])
    off()
    expect(electron.listeners.has('shardscope:event')).toBe(false)
    expect(bridge.pathForFile({})).toBe('/dropped/strategy.ckpt')
  })
})
