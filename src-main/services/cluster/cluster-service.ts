import { randomUUID } from 'node:crypto'
import type { AppEvent, ClusterDescription, ClusterProbe, ClusterRequest } from '../../api/contract'
import { modelProblems } from '../../engine/cluster/cluster-model'
import { serverAccess, withTrustedKey } from '../../engine/cluster/cluster-profile'
import { deviceCountProblems, fitCheck } from '../../engine/cluster/npu-fit'
import { isShardscopeError } from '../../engine/errors'
import { stagesOf } from '../../engine/model/strategy-set'
import { cachedStrategy } from '../strategy-cache'
import { readClusterLayout, readClusterProfile, writeClusterProfile } from './cluster-files'
import { launchForPush } from './launch'
import { readConvertedFolder, type ConvertedFolder } from './manifest-hashes'
import { probeCluster } from './probe'
import { runPush } from './push'
import { planPush } from './push-plan'

// Progress reaches the UI at most this often per push.
const EVENT_INTERVAL_MS = 150

async function stageCountOf(converted: ConvertedFolder | undefined): Promise<number | undefined> {
  const strategy = converted?.strategyFiles[0]
  if (!strategy) return undefined
  try {
    return stagesOf(await cachedStrategy(strategy.localPath)).length
  } catch {
    return undefined
  }
}

/** The Cluster view's use cases: describe, probe, push (in the background, as events), trust a host key. */
export class ClusterService {
  private readonly running = new Map<string, AbortController>()
  /** Profile edits in order: two dialogs answered quickly must not overwrite each other's pinned key. */
  private profileWrites: Promise<unknown> = Promise.resolve()

  constructor(private readonly emit: (event: AppEvent) => void) {}

  private async inputs(request: ClusterRequest) {
    const model = await readClusterLayout(request.layout)
    const profile = request.profile ? await readClusterProfile(request.profile) : undefined
    const converted = request.output ? await readConvertedFolder(request.output) : undefined
    return { model, profile, converted }
  }

  async describe(request: ClusterRequest): Promise<ClusterDescription> {
    const { model, profile, converted } = await this.inputs(request)
    const destination = new Set(converted?.outputs.map((o) => o.rank) ?? [])
    const stageCount = await stageCountOf(converted)
    const perStage = stageCount && destination.size > 0 ? destination.size / stageCount : undefined
    const plan = converted
      ? planPush(model, converted, profile, {
          ...(request.name ? { name: request.name } : {}),
          ...(request.remoteRoot ? { remoteRoot: request.remoteRoot } : {})
        })
      : undefined
    const problems = plan ? plan.problems : modelProblems(model, [...destination])
    const description: ClusterDescription = {
      layout: request.layout,
      kind: model.source.kind,
      servers: model.servers.map((server) => {
        const planned = plan?.servers.find((s) => s.server === server.id)
        const access = profile ? serverAccess(profile, server.id) : undefined
        return {
          id: server.id,
          ...(server.address ? { address: server.address } : {}),
          devices: server.devices.map((d) => ({
            deviceId: d.deviceId,
            rank: d.rank,
            destination: destination.has(d.rank),
            ...(perStage && destination.has(d.rank) ? { stage: Math.floor(d.rank / perStage) } : {})
          })),
          ...(planned
            ? {
                files: planned.files.map((f) => ({
                  path: f.relativePath,
                  size: f.size,
                  ...(f.rank !== undefined ? { rank: f.rank } : {})
                })),
                bytes: planned.bytes
              }
            : {}),
          ...(access
            ? {
                ssh: {
                  ...(access.host ? { host: access.host } : {}),
                  ...(access.port ? { port: access.port } : {}),
                  ...(access.user ? { user: access.user } : {}),
                  ...(planned?.folder ? { remoteFolder: planned.folder } : {}),
                  ...(access.hostKey ? { hostKey: access.hostKey } : {})
                }
              }
            : {})
        }
      }),
      problems,
      warnings: model.tableProblems
    }
    if (stageCount) description.stageCount = stageCount
    if (plan && converted) {
      description.pushName = plan.name
      description.launch = launchForPush(model, profile, converted, plan)
    }
    return description
  }

  async probe(request: ClusterRequest & { profile: string }): Promise<ClusterProbe> {
    const { model, profile, converted } = await this.inputs(request)
    const { probes, local } = await probeCluster(model, profile!, { local: 'auto' })
    const shards = new Map(converted?.outputs.map((o) => [o.rank, o.size]) ?? [])
    const fits = fitCheck(model, shards, probes)
    const problems = converted ? deviceCountProblems(model, [...shards.keys()], probes) : []
    return {
      probes: probes.map((p) => ({
        ...p,
        ...(problems.some((m) => m.includes(`Server ${p.server} `))
          ? { message: problems.find((m) => m.includes(`Server ${p.server} `)) }
          : {})
      })),
      fits,
      ...(local ? { local } : {})
    }
  }

  async push(
    request: ClusterRequest & { profile: string; output: string; jobs?: number }
  ): Promise<{ pushId: string }> {
    const { model, profile, converted } = await this.inputs(request)
    const plan = planPush(model, converted!, profile, {
      ...(request.name ? { name: request.name } : {}),
      ...(request.remoteRoot ? { remoteRoot: request.remoteRoot } : {})
    })
    const pushId = randomUUID()
    const controller = new AbortController()
    this.running.set(pushId, controller)
    const last = new Map<string, number>()
    void runPush(plan, {
      profile: profile!,
      ...(request.jobs ? { jobs: request.jobs } : {}),
      signal: controller.signal,
      onEvent: (event) => {
        const now = Date.now()
        // Per-file byte counts are throttled; state changes and finished files always go through.
        if (event.file && !event.file.outcome && now - (last.get(event.server) ?? 0) < EVENT_INTERVAL_MS)
          return
        last.set(event.server, now)
        this.emit({ type: 'cluster.progress', pushId, event })
      }
    })
      .then((report) =>
        this.emit({
          type: 'cluster.finished',
          result: {
            pushId,
            servers: report.servers,
            sharedStorage: report.sharedStorage,
            bytesSent: report.bytesSent
          }
        })
      )
      .catch((err: unknown) => {
        const cancelled = isShardscopeError(err) && err.code === 'CANCELLED'
        this.emit({
          type: 'cluster.failed',
          pushId,
          state: cancelled ? 'cancelled' : 'failed',
          message: isShardscopeError(err) ? err.message : `internal error: ${(err as Error).message}`
        })
      })
      .finally(() => this.running.delete(pushId))
    return { pushId }
  }

  cancel(pushId: string): boolean {
    const controller = this.running.get(pushId)
    controller?.abort()
    return controller !== undefined
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort()
  }

  /** Pins a host key the user checked and trusted in the app's dialog; the renderer never sees key material. */
  async trustHost(
    profilePath: string,
    server: string,
    fingerprint: string,
    jump = false
  ): Promise<{ pinned: boolean }> {
    const write = this.profileWrites.then(async () => {
      const profile = await readClusterProfile(profilePath)
      await writeClusterProfile(profilePath, withTrustedKey(profile, server, fingerprint, jump))
    })
    this.profileWrites = write.catch(() => undefined)
    await write
    return { pinned: true }
  }
}
