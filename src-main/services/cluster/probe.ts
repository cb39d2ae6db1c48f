import type { ClusterModel } from '../../engine/cluster/cluster-model'
import { serverAccess, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import { probedNpus, type ServerProbe } from '../../engine/cluster/npu-fit'
import { parseNpuMapping, parseNpuUsage, type NpuUsage } from '../../engine/cluster/npu-smi'
import { isShardscopeError } from '../../engine/errors'
import { HostKeyError, hostKeyProblem, type HostKeyProblem } from './host-keys'
import {
  isThisMachine,
  looksLikeAscendHost,
  probeThisMachine,
  type LocalProbe,
  type LocalProbeOptions
} from './local-npus'
import { connectSsh, type NewTrust, type SshTarget } from './ssh-transport'
import type { Transport } from './transport'

export type ProbeResult = ServerProbe & { hostKey?: HostKeyProblem }

/** The NPUs of one node, from its own npu-smi over the SSH connection. */
export async function probeOverTransport(transport: Transport): Promise<ServerProbe> {
  const server = transport.server
  const which = await transport.exec('command -v npu-smi')
  if (which.code !== 0 || which.stdout.trim() === '')
    return {
      server,
      status: 'no-npu-smi',
      message: `${server} has no npu-smi on its PATH (no Ascend driver installed, or not visible to this user)`
    }
  const mapping = await transport.exec('npu-smi info -m')
  if (mapping.code !== 0)
    return {
      server,
      status: 'failed',
      message: `${server}: npu-smi info -m failed (${(mapping.stderr || mapping.stdout).trim().slice(0, 200)})`
    }
  const chips = parseNpuMapping(mapping.stdout)
  const usages = new Map<string, NpuUsage | undefined>()
  // One after another through the connection's shell: at once, all but one would each start an SSH session of
  // their own, which costs the node more than the command does (remote-shell.ts).
  for (const chip of chips.filter((c) => c.logicId !== undefined)) {
    const out = await transport.exec(`npu-smi info -t usages -i ${chip.npuId} -c ${chip.chipId}`)
    usages.set(`${chip.npuId}:${chip.chipId}`, out.code === 0 ? parseNpuUsage(out.stdout) : undefined)
  }
  const npus = probedNpus(chips, usages)
  if (npus.length === 0)
    return {
      server,
      status: 'failed',
      message: `${server}: npu-smi lists no NPU with a logic id and memory figures`
    }
  return { server, status: 'ok', via: 'npu-smi', npus }
}

/** Probes every server at once; one that cannot be reached says so and the others still answer. */
export async function probeServers(
  profile: ClusterProfile,
  servers: string[],
  options: {
    trust?: Map<string, string>
    connect?: (target: SshTarget, accepted: NewTrust[]) => Promise<Transport>
  } = {}
): Promise<{ probes: ProbeResult[]; newTrust: NewTrust[] }> {
  const newTrust: NewTrust[] = []
  const connect = options.connect ?? ((target, accepted) => connectSsh(target, accepted))
  const probes = await Promise.all(
    servers.map(async (server): Promise<ProbeResult> => {
      let transport: Transport | undefined
      try {
        const trusted = options.trust?.get(server)
        transport = await connect(
          {
            server,
            access: serverAccess(profile, server),
            ...(trusted ? { trust: { host: trusted, jump: trusted } } : {})
          },
          newTrust
        )
        return await probeOverTransport(transport)
      } catch (err) {
        const result: ProbeResult = {
          server,
          status: 'failed',
          message: isShardscopeError(err) ? err.message : (err as Error).message
        }
        if (err instanceof HostKeyError) result.hostKey = hostKeyProblem(err)
        return result
      } finally {
        await transport?.close().catch(() => undefined)
      }
    })
  )
  return { probes, newTrust }
}

export interface ClusterProbeOptions {
  trust?: Map<string, string>
  connect?: (target: SshTarget, accepted: NewTrust[]) => Promise<Transport>
  /**
   * Ask this machine's driver too: `true` or options (`--local`), `'auto'` only on an Ascend host, `false` never.
   * A rank-table server that is this machine is then probed through the driver instead of over SSH.
   */
  local?: boolean | 'auto' | LocalProbeOptions
}

export interface ClusterProbeReport {
  probes: ProbeResult[]
  newTrust: NewTrust[]
  /** This machine, when it was asked. */
  local?: LocalProbe
}

/**
 * Every server of the cluster, over SSH with npu-smi, except a server that is this machine when the local
 * driver can answer: its NPUs then come from the driver, with no SSH connection and no npu-smi needed.
 */
export async function probeCluster(
  model: ClusterModel,
  profile: ClusterProfile,
  options: ClusterProbeOptions = {}
): Promise<ClusterProbeReport> {
  const wanted = options.local ?? 'auto'
  const asked = wanted === 'auto' ? looksLikeAscendHost() : wanted !== false
  const local = asked ? probeThisMachine(typeof wanted === 'object' ? wanted : {}) : undefined
  const mine = new Set(
    local ? model.servers.filter((s) => isThisMachine(s, serverAccess(profile, s.id))).map((s) => s.id) : []
  )
  const ssh = {
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.connect ? { connect: options.connect } : {})
  }
  const ids = model.servers.map((s) => s.id)
  const [others, here] = await Promise.all([
    probeServers(
      profile,
      ids.filter((id) => !mine.has(id)),
      ssh
    ),
    local
  ])
  // This machine's own servers go over SSH only when its driver could not answer.
  const fallback = here?.status === 'ok' ? undefined : await probeServers(profile, [...mine], ssh)
  const probes = [...others.probes, ...(fallback?.probes ?? [])]
  const newTrust = [...others.newTrust, ...(fallback?.newTrust ?? [])]
  const results = ids.map((id): ProbeResult => {
    if (here?.status === 'ok' && mine.has(id))
      return { server: id, status: 'ok', via: 'local', npus: here.npus }
    return probes.find((p) => p.server === id)!
  })
  return { probes: results, newTrust, ...(here ? { local: here } : {}) }
}
