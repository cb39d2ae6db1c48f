import { isIP } from 'node:net'
import type { AddressField, RankTableServer } from './rank-table'
import { serverPlace } from './rank-table-fields'
import { groupBy, joinAnd, listSome, plural } from './problem-helpers'

export interface TableFacts {
  file: string
  version: string
  status?: string
  declaredServerCount?: number
  servers: RankTableServer[]
  addresses: AddressField[]
}

const KNOWN_VERSIONS = ['1.0', '1.2']

/** Everything about a readable table that would make HCCL refuse it or wire the wrong devices together. */
export function findTableProblems(facts: TableFacts): string[] {
  return [
    ...versionAndStatusProblems(facts),
    ...serverProblems(facts),
    ...rankProblems(facts.file, facts.servers),
    ...addressProblems(facts.file, facts.addresses)
  ]
}

function versionAndStatusProblems({ file, version, status }: TableFacts): string[] {
  const problems: string[] = []
  if (version === '') {
    problems.push(`${file} has no version; HCCL expects "1.0", or "1.2" for super-pod (Atlas A3) clusters.`)
  } else if (!KNOWN_VERSIONS.includes(version)) {
    problems.push(
      `${file} has version ${JSON.stringify(version)}, which Shardscope does not know (it reads 1.0 and 1.2); fields may be misread.`
    )
  }
  if (status !== 'completed') {
    const has = status === undefined ? 'has no status' : `has status ${JSON.stringify(status)}`
    problems.push(`${file} ${has}; HCCL only uses a rank table whose status is "completed".`)
  }
  return problems
}

function serverProblems({ file, declaredServerCount, servers }: TableFacts): string[] {
  const problems: string[] = []
  if (declaredServerCount !== undefined && declaredServerCount !== servers.length) {
    problems.push(
      `${file} declares server_count ${declaredServerCount} but server_list has ${plural(servers.length, 'server')}.`
    )
  }
  for (const [id, indices] of groupBy(servers.map((server, index): [string, number] => [server.id, index]))) {
    if (indices.length < 2) continue
    const places = indices.map((index) => `server_list[${index}]`)
    problems.push(
      `${file} uses server_id ${JSON.stringify(id)} for ${indices.length} servers (${joinAnd(places)}); each server needs its own id.`
    )
  }
  servers.forEach((server, index) => {
    const byDeviceId = groupBy(
      server.devices.map((device, deviceIndex): [number, number] => [device.deviceId, deviceIndex])
    )
    for (const [deviceId, deviceIndices] of byDeviceId) {
      if (deviceIndices.length < 2) continue
      problems.push(
        `${file}: ${serverPlace(index, server.id)} lists device_id ${deviceId} ${deviceIndices.length} times (${joinAnd(deviceIndices.map((i) => `device[${i}]`))}); each NPU can appear only once per server.`
      )
    }
  })
  return problems
}

function rankProblems(file: string, servers: RankTableServer[]): string[] {
  const holders = groupBy(
    servers.flatMap((server, index) =>
      server.devices.map((device): [number, string] => [
        device.rank,
        `${serverPlace(index, server.id)} device_id ${device.deviceId}`
      ])
    )
  )
  const deviceCount = servers.reduce((sum, server) => sum + server.devices.length, 0)
  if (deviceCount === 0) return [`${file} lists no devices, so it describes no ranks.`]

  const problems: string[] = []
  for (const [rank, places] of [...holders].sort(([a], [b]) => a - b)) {
    if (places.length < 2) continue
    problems.push(
      `${file} gives rank ${rank} to ${places.length} devices: ${joinAnd(places)}; each rank_id must be unique.`
    )
  }
  const missing: number[] = []
  for (let rank = 0; rank < deviceCount; rank++) if (!holders.has(rank)) missing.push(rank)
  if (missing.length > 0) {
    const outside = [...holders.keys()].filter((rank) => rank >= deviceCount).sort((a, b) => a - b)
    const outsideNote =
      outside.length > 0
        ? ` (${describeRanks(outside)} ${outside.length === 1 ? 'lies' : 'lie'} outside that range)`
        : ''
    problems.push(
      `${file} has no device with ${describeRanks(missing)}; with ${plural(deviceCount, 'device')} the ranks must be 0-${deviceCount - 1} without gaps${outsideNote}.`
    )
  }
  return problems
}

function addressProblems(file: string, addresses: AddressField[]): string[] {
  const problems: string[] = []
  const masked = addresses.filter((address) => address.value.includes('*'))
  if (masked.length > 0) {
    problems.push(
      `${file} has ${plural(masked.length, 'masked address', 'masked addresses')} containing "*" (${listPlaces(masked)}); replace them with the cluster's real addresses before using this table.`
    )
  }
  const invalid = addresses.filter(
    (address) => address.key !== 'server_id' && !address.value.includes('*') && isIP(address.value) === 0
  )
  if (invalid.length === 1) {
    problems.push(
      `${file} has an address that is not a valid IP address (${listPlaces(invalid)}); HCCL cannot connect to it.`
    )
  } else if (invalid.length > 1) {
    problems.push(
      `${file} has ${invalid.length} addresses that are not valid IP addresses (${listPlaces(invalid)}); HCCL cannot connect to them.`
    )
  }
  return problems
}

function listPlaces(addresses: AddressField[]): string {
  return listSome(
    addresses.map((address) => `${address.place} ${address.key} ${JSON.stringify(address.value)}`)
  )
}

/** `rank 3`, `ranks 3, 7-9`: runs collapse so a gap of a whole server stays one short phrase. */
function describeRanks(sortedRanks: number[]): string {
  const runs: string[] = []
  for (let start = 0; start < sortedRanks.length;) {
    let end = start
    while (end + 1 < sortedRanks.length && sortedRanks[end + 1] === sortedRanks[end]! + 1) end++
    runs.push(end === start ? `${sortedRanks[start]}` : `${sortedRanks[start]}-${sortedRanks[end]}`)
    start = end + 1
  }
  return `${sortedRanks.length === 1 ? 'rank' : 'ranks'} ${runs.join(', ')}`
}
