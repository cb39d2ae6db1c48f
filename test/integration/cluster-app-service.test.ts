import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppEvent, ClusterPushResult } from '../../src-main/api/contract'
import type { AppService } from '../../src-main/services/app-service'
import { useAppService } from '../helpers/app-service'
import { describeMode, startTestCluster, type TestCluster } from '../helpers/cluster-nodes'
import { makeConvertedFolder, rankTableFor } from '../helpers/cluster-outputs'
import { useTempDirs } from '../helpers/temp-dir'

async function ok<T>(s: AppService, name: string, params: unknown): Promise<T> {
  const reply = await s.handle(name, params)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.result as T
}

const tempDir = useTempDirs()
const newService = useAppService(tempDir)

describe("the app's probes and pushes run in an engine process of their own", () => {
  let cluster: TestCluster
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 1 })
    console.log(describeMode(cluster))
  })
  afterAll(async () => {
    await cluster?.close()
  })

  it('reports a push whose engine process dies as failed, in a sentence, and the next push resumes it', async () => {
    const dir = tempDir()
    const size = 2 * 1024 * 1024
    const { folder } = makeConvertedFolder(dir, [size, size])
    const request = {
      layout: rankTableFor(dir, 1, 2),
      profile: join(dir, 'cluster.json'),
      output: folder,
      name: 'app'
    }
    writeFileSync(request.profile, JSON.stringify(cluster.profile()))
    const s = newService()
    await ok(s, 'cluster.describe', request)
    // Describing a cluster starts the process probes and pushes will use; it is not this one.
    await expect.poll(() => s.enginePids.cluster).toBeDefined()
    const first = s.enginePids.cluster!
    expect(first).not.toBe(process.pid)

    const events: AppEvent[] = []
    s.onEvent((e) => events.push(e))
    cluster.slowLink(0, cluster.mode === 'netns' ? '8mbit' : '1gbit')
    try {
      const { pushId } = await ok<{ pushId: string }>(s, 'cluster.push', request)
      await expect
        .poll(
          () =>
            events.some(
              (e) => e.type === 'cluster.progress' && e.pushId === pushId && e.event.bytesSent > 256 * 1024
            ),
          { timeout: 30_000 }
        )
        .toBe(true)
      process.kill(first, 'SIGKILL')
      await expect.poll(() => events.find((e) => e.type === 'cluster.failed')).toBeTruthy()
      expect(events.find((e) => e.type === 'cluster.failed')).toMatchObject({
        pushId,
        state: 'failed',
        message: expect.stringContaining(
          'The push stopped because the engine process running it stopped (it was stopped by SIGKILL)'
        )
      })
    } finally {
      cluster.clearLink(0)
    }

    // A fresh process takes the next push, which sends only what had not arrived.
    const { pushId } = await ok<{ pushId: string }>(s, 'cluster.push', request)
    expect(s.enginePids.cluster).not.toBe(first)
    await expect
      .poll(() => events.find((e) => e.type === 'cluster.finished' && e.result.pushId === pushId), {
        timeout: 30_000
      })
      .toBeTruthy()
    const { result } = events.find(
      (e): e is { type: 'cluster.finished'; result: ClusterPushResult } =>
        e.type === 'cluster.finished' && e.result.pushId === pushId
    )!
    expect(result.servers.map((server) => server.state)).toEqual(['done'])
    const sent = result.servers[0]!.files.reduce((n, f) => n + f.sentBytes, 0)
    expect(sent).toBeLessThan(2 * size)
  })
})
