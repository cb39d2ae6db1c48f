import { serverAccess, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import { probedNpus, type ServerProbe } from '../../engine/cluster/npu-fit'
import { parseNpuMapping, parseNpuUsage, type NpuUsage } from '../../engine/cluster/npu-smi'
import { isShardscopeError } from '../../engine/errors'
import { HostKeyError } from './host-keys'
import { connectSsh, type NewTrust, type SshTarget } from './ssh-transport'
import type { Transport } from './transport'

export type ProbeResult = ServerProbe & { hostKey?: { kind: 'unknown' | 'changed'; fingerprint: string } }

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
  await Promise.all(
    chips
      .filter((chip) => chip.logicId !== undefined)
      .map(async (chip) => {
        const out = await transport.exec(`npu-smi info -t usages -i ${chip.npuId} -c ${chip.chipId}`)
        usages.set(`${chip.npuId}:${chip.chipId}`, out.code === 0 ? parseNpuUsage(out.stdout) : undefined)
      })
  )
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
        if (err instanceof HostKeyError) result.hostKey = { kind: err.kind, fingerprint: err.fingerprint }
        return result
      } finally {
        await transport?.close().catch(() => undefined)
      }
    })
  )
  return { probes, newTrust }
}
