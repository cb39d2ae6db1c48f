import { existsSync } from 'node:fs'
import { hostname, networkInterfaces } from 'node:os'
import type { ClusterServer } from '../../engine/cluster/cluster-model'
import type { ServerAccess } from '../../engine/cluster/cluster-profile'
import type { ProbedNpu } from '../../engine/cluster/npu-fit'
import { probeLocalNpus, type LocalNpuProbe } from '../npu-local-probe'

/** This machine's NPUs as the driver reports them, or why it could not say. */
export type LocalProbe =
  | { status: 'ok'; via: 'local'; source: 'dcmi' | 'acl'; npus: ProbedNpu[] }
  | { status: 'unavailable'; message: string }

export interface LocalProbeOptions {
  /** A directory searched first for libdcmi.so and libascendcl.so (`--npu-library-path`). */
  libraryPath?: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
}

/**
 * Whether this process runs on an Ascend host, judged without loading anything: the driver's device node, the
 * driver's install folder, or a CANN environment (`source set_env.sh` sets ASCEND_HOME_PATH / ASCEND_TOOLKIT_HOME).
 */
export function looksLikeAscendHost(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    existsSync('/dev/davinci_manager') ||
    existsSync('/usr/local/Ascend/driver') ||
    Boolean(env.ASCEND_HOME_PATH) ||
    Boolean(env.ASCEND_TOOLKIT_HOME)
  )
}

/** The driver's devices as probes report NPUs: by the logic id a rank table's device_id names. */
export function localNpus(probe: Extract<LocalNpuProbe, { available: true }>): ProbedNpu[] {
  return probe.devices
    .map((device) => ({
      deviceId: device.logicId ?? device.id,
      ...(device.name ? { name: device.name } : {}),
      memoryKind: 'HBM' as const,
      totalBytes: device.hbmTotalBytes,
      usedBytes: device.hbmUsedBytes
    }))
    .sort((a, b) => a.deviceId - b.deviceId)
}

export async function probeThisMachine(options: LocalProbeOptions = {}): Promise<LocalProbe> {
  const probe = await probeLocalNpus({
    ...(options.libraryPath ? { libraryPath: options.libraryPath } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {})
  })
  return probe.available
    ? { status: 'ok', via: 'local', source: probe.source, npus: localNpus(probe) }
    : { status: 'unavailable', message: probe.reason }
}

/** Names and addresses this machine answers to: its host name, its interfaces' addresses, loopback. */
function ownNames(): Set<string> {
  const names = new Set(['localhost', hostname().toLowerCase()])
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) names.add(entry.address.toLowerCase())
  return names
}

/**
 * Whether a rank-table server is the machine this runs on, by its address, SSH host or id. Behind a jump host
 * the SSH host is an address as the jump host sees it, so it says nothing about this machine.
 */
export function isThisMachine(server: ClusterServer, access?: Partial<ServerAccess>): boolean {
  const names = ownNames()
  return [server.address, access?.jump ? undefined : access?.host, server.id].some(
    (name) => name !== undefined && names.has(name.toLowerCase())
  )
}
