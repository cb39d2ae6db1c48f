import { ShardscopeError } from '../../errors'
import {
  idField,
  isJsonObject,
  listField,
  objectAt,
  optionalListField,
  optionalTextField,
  optionalWholeNumberField,
  serverPlace,
  textField,
  wholeNumberField,
  type JsonObject,
  type Site
} from './rank-table-fields'
import { requireBoundedJson } from '../json-text'
import { findTableProblems } from './rank-table-problems'
import { findSuperPodProblems } from './super-pod-problems'

/** One NPU as the rank table lists it. */
export interface RankTableDevice {
  /** Physical NPU number on its server (`device_id`). */
  deviceId: number
  rank: number
  deviceIp?: string
  /** Physical id inside the super pod (v1.2, Atlas A3). */
  superDeviceId?: string
}

export interface RankTableServer {
  id: string
  /** `server_ip` (cross-cluster tables). */
  ip?: string
  /** `host_ip` (v1.2 tables). */
  hostIp?: string
  devices: RankTableDevice[]
}

export interface RankTableRank {
  rank: number
  /** `server_id` of the server the rank runs on. */
  server: string
  /** `device_id` of the NPU the rank runs on. */
  device: number
  deviceIp?: string
}

export interface RankTableSuperPod {
  id: string
  serverIds: string[]
}

export interface RankTable {
  file: string
  /** As written ("1.0", "1.2"); empty when the table has none. */
  version: string
  status?: string
  servers: RankTableServer[]
  /** Every device once, ordered by rank. */
  ranks: RankTableRank[]
  /** Present only when the table has a `super_pod_list` (v1.2). */
  superPods?: RankTableSuperPod[]
  /** Sentences about things that would make HCCL fail or misbehave; the table was still readable. */
  problems: string[]
}

/** A value that should be an IP address, remembered with its place so a problem can point at it. */
export interface AddressField {
  place: string
  key: string
  value: string
}

// Beyond the modelled ip fields, the cross-cluster and v1.2 extras are checked too: a masked or mistyped one breaks
// HCCL just the same.
const SERVER_ADDRESS_KEYS = ['server_ip', 'host_ip', 'pod_ip', 'container_ip']
const DEVICE_ADDRESS_KEYS = ['device_ip', 'backup_device_ip', 'dpu_ip']

/** Sniffs parsed JSON of unknown kind; tables cut down to their header still count. */
export function looksLikeRankTable(json: unknown): boolean {
  if (!isJsonObject(json)) return false
  return Array.isArray(json.server_list) || ('version' in json && 'server_count' in json)
}

/**
 * Reads an HCCL rank table (JSON, version 1.0 or 1.2). Throws `BAD_INPUT` when the structure is unusable; anything
 * merely wrong for a real cluster (duplicate ranks, masked addresses, …) is reported in `problems`.
 */
export function parseRankTable(text: string, file: string): RankTable {
  const tableSite: Site = { file, where: 'the top level' }
  const root = objectAt(parseJson(text, file), tableSite)
  if (root.server_list === undefined) throw missingServerList(root, file)

  const version = optionalTextField(root, 'version', tableSite) ?? ''
  const status = optionalTextField(root, 'status', tableSite)
  const declaredServerCount = optionalWholeNumberField(root, 'server_count', tableSite)
  const addresses: AddressField[] = []
  const servers = listField(root, 'server_list', tableSite).map((raw, index) =>
    readServer(raw, index, file, addresses)
  )
  const superPodList = optionalListField(root, 'super_pod_list', tableSite)
  const superPods = superPodList?.map((raw, index) =>
    readSuperPod(raw, { file, where: `super_pod_list[${index}]` })
  )

  const problems = [
    ...findTableProblems({ file, version, status, declaredServerCount, servers, addresses }),
    ...(superPods ? findSuperPodProblems(file, servers, superPods) : [])
  ]
  const table: RankTable = { file, version, servers, ranks: ranksOf(servers), problems }
  if (status !== undefined) table.status = status
  if (superPods) table.superPods = superPods
  return table
}

function parseJson(text: string, file: string): unknown {
  requireBoundedJson(text, { file, what: 'a rank table' }, 'BAD_INPUT')
  try {
    // Editors on Windows save with a byte-order mark, which JSON.parse rejects.
    return JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `${file} is not valid JSON (${(err as Error).message}), so it cannot be a rank table.`,
      { file }
    )
  }
}

function missingServerList(root: JsonObject, file: string): ShardscopeError {
  const otherLayout =
    root.group_list !== undefined
      ? ' (it uses the older group_list layout, which Shardscope does not read)'
      : root.server_group_list !== undefined
        ? ' (it is a global rank table with server_group_list, which Shardscope does not read)'
        : ''
  return new ShardscopeError(
    'BAD_INPUT',
    `${file} has no server_list, so it is not a rank table${otherLayout}.`,
    {
      file
    }
  )
}

function readServer(raw: unknown, index: number, file: string, addresses: AddressField[]): RankTableServer {
  const object = objectAt(raw, { file, where: `server_list[${index}]` })
  const id = textField(object, 'server_id', { file, where: `server_list[${index}]` })
  const place = serverPlace(index, id)
  const site: Site = { file, where: place }
  const server: RankTableServer = { id, devices: [] }
  const ip = optionalTextField(object, 'server_ip', site)
  const hostIp = optionalTextField(object, 'host_ip', site)
  if (ip !== undefined) server.ip = ip
  if (hostIp !== undefined) server.hostIp = hostIp
  // server_id is usually the host's address, so a masked one must be replaced like any other.
  addresses.push({ place, key: 'server_id', value: id })
  collectAddresses(object, SERVER_ADDRESS_KEYS, place, addresses)

  server.devices = listField(object, 'device', site).map((rawDevice, deviceIndex) => {
    const deviceSite: Site = { file, where: `${place}, device[${deviceIndex}]` }
    const deviceObject = objectAt(rawDevice, deviceSite)
    const device = readDevice(deviceObject, deviceSite)
    collectAddresses(deviceObject, DEVICE_ADDRESS_KEYS, `${place} device_id ${device.deviceId}`, addresses)
    return device
  })
  return server
}

function readDevice(object: JsonObject, site: Site): RankTableDevice {
  const device: RankTableDevice = {
    deviceId: wholeNumberField(object, 'device_id', site),
    rank: wholeNumberField(object, 'rank_id', site)
  }
  const deviceIp = optionalTextField(object, 'device_ip', site)
  const superDeviceId = optionalWholeNumberField(object, 'super_device_id', site)
  if (deviceIp !== undefined) device.deviceIp = deviceIp
  if (superDeviceId !== undefined) device.superDeviceId = String(superDeviceId)
  return device
}

function collectAddresses(object: JsonObject, keys: string[], place: string, into: AddressField[]): void {
  for (const key of keys) {
    const value = object[key]
    if (typeof value === 'string' && value !== '') into.push({ place, key, value })
  }
}

function readSuperPod(raw: unknown, site: Site): RankTableSuperPod {
  const object = objectAt(raw, site)
  const id = idField(object, 'super_pod_id', site)
  const podSite: Site = { file: site.file, where: `super pod ${JSON.stringify(id)} (${site.where})` }
  const serverIds = listField(object, 'server_list', podSite).map((entry, index) => {
    const entrySite: Site = { file: site.file, where: `${podSite.where}, server_list[${index}]` }
    return textField(objectAt(entry, entrySite), 'server_id', entrySite)
  })
  return { id, serverIds }
}

function ranksOf(servers: RankTableServer[]): RankTableRank[] {
  const ranks = servers.flatMap((server) =>
    server.devices.map((device): RankTableRank => {
      const rank: RankTableRank = { rank: device.rank, server: server.id, device: device.deviceId }
      if (device.deviceIp !== undefined) rank.deviceIp = device.deviceIp
      return rank
    })
  )
  // Array.prototype.sort is stable, so duplicate ranks keep the order in which the table lists them.
  return ranks.sort((a, b) => a.rank - b.rank)
}
