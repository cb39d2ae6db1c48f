import { randomUUID } from 'node:crypto'
import type { ClusterProfile } from '../../engine/cluster/cluster-profile'
import { serverAccess } from '../../engine/cluster/cluster-profile'
import { isShardscopeError, ShardscopeError } from '../../engine/errors'
import { HostKeyError, hostKeyProblem } from './host-keys'
import { recordSha256 } from './manifest-hashes'
import { publishServer } from './publish-server'
import type { PushPlan, ServerPlan } from './push-plan'
import type { PushEvent, ServerResult } from './push-types'
import { Semaphore } from './semaphore'
import { connectSsh, type NewTrust, type SshTarget } from './ssh-transport'
import { joinRemote, type Transport } from './transport'

export interface PushOptions {
  profile: ClusterProfile
  /** Fingerprints the user trusted for this run, by server (`--trust-host`, the app's dialog). */
  trust?: Map<string, string>
  /** File uploads in flight over all servers. */
  jobs?: number
  /** File uploads in flight per server. */
  perServer?: number
  signal?: AbortSignal
  onEvent?: (event: PushEvent) => void
  connect?: (target: SshTarget, accepted: NewTrust[]) => Promise<Transport>
}

export interface PushReport {
  name: string
  servers: ServerResult[]
  /** Host keys accepted in this run that the profile did not pin yet; the caller stores them. */
  newTrust: NewTrust[]
  /** Groups of servers found to share one storage (a sentinel written by one was seen by the others). */
  sharedStorage: string[][]
  bytesSent: number
  /** SHA-256 digests added to the local manifest. */
  recordedHashes: number
}

function failed(plan: ServerPlan, err: unknown, cancelled: boolean): ServerResult {
  const result: ServerResult = {
    server: plan.server,
    state: cancelled ? 'cancelled' : 'failed',
    alreadyComplete: false,
    movedAside: [],
    files: [],
    bytesSent: 0,
    bytesTotal: plan.bytes,
    message: isShardscopeError(err) ? err.message : `internal error: ${(err as Error).message}`
  }
  if (plan.folder) result.remoteFolder = plan.folder
  if (err instanceof HostKeyError) result.hostKey = hostKeyProblem(err)
  return result
}

function rootOf(plan: ServerPlan): string {
  return plan.folder!.slice(0, plan.folder!.lastIndexOf('/')) || '/'
}

/**
 * Servers whose remote folders are one storage: each server writes a sentinel of its own under its remote
 * root, then lists that root; a sentinel seen through another server means one storage. Three rounds for any
 * number of servers, all servers at once. A server that cannot write or list stands alone (its upload will say
 * why it fails).
 */
async function sharedGroups(connected: { plan: ServerPlan; transport: Transport }[]): Promise<string[][]> {
  const prefix = `.shardscope-sentinel-${randomUUID()}-`
  const written = await Promise.all(
    connected.map(async ({ plan, transport }, index) => {
      try {
        await transport.mkdirp(rootOf(plan))
        await transport.writeSmallFile(
          joinRemote(rootOf(plan), `${prefix}${index}`),
          Buffer.from(plan.server)
        )
        return true
      } catch {
        return false
      }
    })
  )
  const leader = connected.map((_, index) => index)
  const find = (i: number): number => (leader[i] === i ? i : (leader[i] = find(leader[i]!)))
  try {
    const seen = await Promise.all(
      connected.map(({ plan, transport }, index) =>
        written[index]
          ? transport.list(rootOf(plan)).then(
              (entries) => entries.filter((e) => e.name.startsWith(prefix)),
              () => []
            )
          : []
      )
    )
    seen.forEach((entries, index) => {
      for (const entry of entries) {
        const other = Number(entry.name.slice(prefix.length))
        if (!(other in connected) || rootOf(connected[other]!.plan) !== rootOf(connected[index]!.plan))
          continue
        const [a, b] = [find(index), find(other)]
        // The earlier server in plan order leads the group and writes for it.
        if (a !== b) leader[Math.max(a, b)] = Math.min(a, b)
      }
    })
  } finally {
    await Promise.all(
      connected.map(({ plan, transport }, index) =>
        written[index]
          ? transport.remove(joinRemote(rootOf(plan), `${prefix}${index}`)).catch(() => undefined)
          : undefined
      )
    )
  }
  const groups = new Map<number, string[]>()
  connected.forEach(({ plan }, index) =>
    groups.set(find(index), [...(groups.get(find(index)) ?? []), plan.server])
  )
  return [...groups.values()]
}

/**
 * Runs a push plan: every server independently (one unreachable node does not stop the others), servers on one
 * shared storage written once, and the SHA-256 of every file sent recorded into the local manifest.
 */
export async function runPush(plan: PushPlan, options: PushOptions): Promise<PushReport> {
  if (plan.problems.length > 0) {
    throw new ShardscopeError('PLAN_INVALID', `nothing was sent: ${plan.problems.join(' ')}`)
  }
  const emit = options.onEvent ?? (() => undefined)
  const newTrust: NewTrust[] = []
  const connect = options.connect ?? ((target, accepted) => connectSsh(target, accepted))
  const results = new Map<string, ServerResult>()
  const connected: { plan: ServerPlan; transport: Transport }[] = []
  const cancelled = () => options.signal?.aborted === true
  let groups: string[][]
  try {
    await Promise.all(
      plan.servers.map(async (server) => {
        emit({ server: server.server, state: 'connecting', bytesSent: 0, bytesTotal: server.bytes })
        try {
          const trusted = options.trust?.get(server.server)
          const target: SshTarget = {
            server: server.server,
            access: serverAccess(options.profile, server.server),
            ...(trusted ? { trust: { host: trusted, jump: trusted } } : {})
          }
          connected.push({ plan: server, transport: await connect(target, newTrust) })
        } catch (err) {
          results.set(server.server, failed(server, err, false))
          emit({
            server: server.server,
            state: 'failed',
            bytesSent: 0,
            bytesTotal: server.bytes,
            message: results.get(server.server)!.message!
          })
        }
      })
    )
    // Connections finish in any order; the plan's order decides which server of a shared storage writes.
    connected.sort((a, b) => plan.servers.indexOf(a.plan) - plan.servers.indexOf(b.plan))
    groups = await sharedGroups(connected)
    const overall = new Semaphore(Math.max(1, options.jobs ?? 4))
    await Promise.all(
      groups.map(async (group) => {
        const leader = connected.find((c) => c.plan.server === group[0])!
        // One storage, one write: the leader publishes every file any member needs.
        const files = new Map(
          group
            .flatMap((id) => connected.find((c) => c.plan.server === id)!.plan.files)
            .map((f) => [f.relativePath, f])
        )
        try {
          const result = await publishServer({
            server: leader.plan.server,
            transport: leader.transport,
            files: [...files.values()],
            folder: leader.plan.folder!,
            perServer: new Semaphore(Math.max(1, options.perServer ?? 2)),
            overall,
            ...(options.signal ? { signal: options.signal } : {}),
            emit
          })
          results.set(leader.plan.server, result)
          for (const member of group.slice(1)) {
            const plan = connected.find((c) => c.plan.server === member)!.plan
            results.set(member, {
              ...result,
              server: member,
              sharedWith: leader.plan.server,
              bytesSent: 0,
              files: result.files.filter((f) => plan.files.some((p) => p.relativePath === f.relativePath))
            })
            emit({
              server: member,
              state: 'done',
              bytesSent: 0,
              bytesTotal: plan.bytes,
              message: `shares storage with ${leader.plan.server}`
            })
          }
        } catch (err) {
          for (const member of group) {
            const plan = connected.find((c) => c.plan.server === member)!.plan
            const result = failed(plan, err, cancelled())
            results.set(member, result)
            emit({
              server: member,
              state: result.state,
              bytesSent: 0,
              bytesTotal: plan.bytes,
              message: result.message!
            })
          }
        }
      })
    )
  } finally {
    await Promise.all(connected.map((c) => c.transport.close().catch(() => undefined)))
  }
  const servers = plan.servers.map((s) => results.get(s.server)!)
  const digests = new Map<string, string>()
  for (const server of servers)
    for (const file of server.files)
      if (file.sha256 && file.rank !== undefined) digests.set(file.relativePath, file.sha256)
  const recordedHashes = digests.size > 0 ? await recordSha256(plan.source, digests) : 0
  if (cancelled())
    throw new ShardscopeError(
      'CANCELLED',
      'The push was cancelled; run it again to resume: verified files are not sent again.'
    )
  return {
    name: plan.name,
    servers,
    newTrust,
    sharedStorage: groups.filter((g) => g.length > 1),
    bytesSent: servers.reduce((s, r) => s + r.bytesSent, 0),
    recordedHashes
  }
}
