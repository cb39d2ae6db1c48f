import { ShardscopeError } from '../errors'
import type { RankTable } from '../formats/rank-table/rank-table'
import { plural } from '../formats/rank-table/problem-helpers'

/** One NPU slot on a server: the physical device id the rank runs on. */
export interface ClusterDevice {
  deviceId: number
  rank: number
}

export interface ClusterServer {
  /** `server_id` of the rank table, or the host name of a hostfile line. */
  id: string
  /** The address the rank table gives (host_ip, server_ip or an IP server_id); a launch line's master_addr. */
  address?: string
  /** Devices the server has: listed in the rank table, or `slots=N` of a hostfile. */
  deviceCount: number
  devices: ClusterDevice[]
}

/** rank → server → device, from a rank table or a hostfile; pure data. */
export interface ClusterModel {
  source: { kind: 'rank-table' | 'hostfile'; file: string }
  servers: ClusterServer[]
  /** Sentences about a rank table that HCCL would refuse; empty for hostfiles. */
  tableProblems: string[]
}

export interface RankPlace {
  rank: number
  server: string
  deviceId: number
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

export function clusterFromRankTable(table: RankTable): ClusterModel {
  return {
    source: { kind: 'rank-table', file: table.file },
    servers: table.servers.map((server) => {
      const address = server.hostIp ?? server.ip ?? (IPV4.test(server.id) ? server.id : undefined)
      const result: ClusterServer = {
        id: server.id,
        deviceCount: server.devices.length,
        devices: server.devices
          .map((d) => ({ deviceId: d.deviceId, rank: d.rank }))
          .sort((a, b) => a.rank - b.rank)
      }
      if (address !== undefined) result.address = address
      return result
    }),
    tableProblems: table.problems
  }
}

/**
 * An MPI hostfile (`node-0 slots=8`, one host per line, `#` comments): ranks fill the hosts in order, so host 0
 * holds ranks 0…slots-1 on devices 0…slots-1, as `mpirun --map-by slot` places them.
 */
export function parseHostfile(text: string, file: string): ClusterModel {
  const servers: ClusterServer[] = []
  let rank = 0
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') return
    const [host, ...rest] = line.split(/\s+/)
    let slots = 1
    for (const field of rest) {
      const match = /^(slots|max[-_]slots)=(\d+)$/.exec(field)
      if (!match) {
        throw new ShardscopeError(
          'BAD_INPUT',
          `${file}: line ${index + 1} has "${field}"; a hostfile line is "<host> slots=<N>".`,
          { file }
        )
      }
      if (match[1] === 'slots') slots = Number(match[2])
    }
    if (!Number.isSafeInteger(slots) || slots < 1 || slots > 4096) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `${file}: line ${index + 1} has slots=${slots}; use 1 to 4096.`,
        {
          file
        }
      )
    }
    if (servers.some((s) => s.id === host)) {
      throw new ShardscopeError('BAD_INPUT', `${file}: host ${host} is listed twice (line ${index + 1}).`, {
        file
      })
    }
    const devices = Array.from({ length: slots }, (_, deviceId) => ({ deviceId, rank: rank + deviceId }))
    rank += slots
    const server: ClusterServer = { id: host!, deviceCount: slots, devices }
    if (IPV4.test(host!)) server.address = host!
    servers.push(server)
  })
  if (servers.length === 0) {
    throw new ShardscopeError('BAD_INPUT', `${file} lists no hosts; a hostfile line is "<host> slots=<N>".`, {
      file
    })
  }
  return { source: { kind: 'hostfile', file }, servers, tableProblems: [] }
}

export function rankPlaces(model: ClusterModel): Map<number, RankPlace> {
  const places = new Map<number, RankPlace>()
  for (const server of model.servers)
    for (const device of server.devices) {
      if (!places.has(device.rank))
        places.set(device.rank, { rank: device.rank, server: server.id, deviceId: device.deviceId })
    }
  return places
}

/** Servers in launch order: by their lowest rank, so node_rank 0 holds rank 0. */
export function serversInRankOrder(model: ClusterModel): ClusterServer[] {
  const lowest = (s: ClusterServer) => Math.min(...s.devices.map((d) => d.rank), Number.MAX_SAFE_INTEGER)
  return [...model.servers].sort((a, b) => lowest(a) - lowest(b))
}

/**
 * What makes the model unusable for placing a converted output, in words: destination ranks no server runs,
 * servers given more ranks than devices, a device listed twice on one server.
 */
export function modelProblems(model: ClusterModel, destinationRanks: number[]): string[] {
  const problems: string[] = []
  const places = rankPlaces(model)
  const missing = destinationRanks.filter((rank) => !places.has(rank))
  if (missing.length > 0) {
    problems.push(
      `${model.source.file} has no server for destination ${missing.length === 1 ? 'rank' : 'ranks'} ${missing.join(', ')}; the converted output has ${plural(destinationRanks.length, 'rank')} but the cluster places ${plural(places.size, 'rank')}.`
    )
  }
  for (const server of model.servers) {
    const held = server.devices.filter((d) => destinationRanks.includes(d.rank)).length
    if (held > server.deviceCount) {
      problems.push(
        `Server ${server.id} would run ${held} ranks but has ${plural(server.deviceCount, 'device')}.`
      )
    }
    const seen = new Map<number, number[]>()
    for (const device of server.devices)
      seen.set(device.deviceId, [...(seen.get(device.deviceId) ?? []), device.rank])
    for (const [deviceId, ranks] of seen) {
      if (ranks.length > 1)
        problems.push(
          `Server ${server.id} lists NPU ${deviceId} for ${ranks.length} ranks (${ranks.join(', ')}); each rank needs its own NPU.`
        )
    }
  }
  return problems
}
