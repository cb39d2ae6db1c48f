import type { RankTableServer, RankTableSuperPod } from './rank-table'
import { serverPlace } from './rank-table-fields'
import { groupBy, joinAnd, listSome, plural } from './problem-helpers'

/**
 * Checks the v1.2 `super_pod_list` against `server_list`: HCCL places every server in exactly one super pod and
 * addresses NPUs inside a pod by `super_device_id`, so each of those must be present and unique within the pod.
 */
export function findSuperPodProblems(
  file: string,
  servers: RankTableServer[],
  superPods: RankTableSuperPod[]
): string[] {
  const problems: string[] = []
  const listedServerIds = new Set(servers.map((server) => server.id))
  const podsOfServer = groupBy(
    superPods.flatMap((pod) => pod.serverIds.map((serverId): [string, string] => [serverId, pod.id]))
  )

  for (const [serverId, podIds] of podsOfServer) {
    if (!listedServerIds.has(serverId)) {
      problems.push(
        `${file}: ${podIds.length === 1 ? 'super pod' : 'super pods'} ${quoteAll(podIds)} ${podIds.length === 1 ? 'lists' : 'list'} server ${JSON.stringify(serverId)}, which is not in server_list.`
      )
    } else if (podIds.length > 1) {
      problems.push(
        `${file}: server ${JSON.stringify(serverId)} is listed in super pods ${quoteAll(podIds)}; a server belongs to exactly one super pod.`
      )
    }
  }
  servers.forEach((server, index) => {
    if (!podsOfServer.has(server.id)) {
      problems.push(`${file}: ${serverPlace(index, server.id)} belongs to no super pod in super_pod_list.`)
    }
  })
  return [...problems, ...superDeviceIdProblems(file, servers, superPods)]
}

function superDeviceIdProblems(
  file: string,
  servers: RankTableServer[],
  superPods: RankTableSuperPod[]
): string[] {
  const problems: string[] = []
  const lacking = servers.flatMap((server, index) =>
    server.devices
      .filter((device) => device.superDeviceId === undefined)
      .map((device) => `${serverPlace(index, server.id)} device_id ${device.deviceId}`)
  )
  if (lacking.length > 0) {
    problems.push(
      `${file} has ${plural(lacking.length, 'device')} without super_device_id (${listSome(lacking)}); every device of a super-pod table needs one.`
    )
  }
  for (const pod of superPods) {
    const podServers = servers.flatMap((server, index) =>
      pod.serverIds.includes(server.id) ? [{ server, index }] : []
    )
    const holders = groupBy(
      podServers.flatMap(({ server, index }) =>
        server.devices
          .filter((device) => device.superDeviceId !== undefined)
          .map((device): [string, string] => [
            device.superDeviceId!,
            `${serverPlace(index, server.id)} device_id ${device.deviceId}`
          ])
      )
    )
    for (const [superDeviceId, places] of holders) {
      if (places.length < 2) continue
      problems.push(
        `${file}: super pod ${JSON.stringify(pod.id)} gives super_device_id ${superDeviceId} to ${places.length} devices (${joinAnd(places)}); it must be unique within the pod.`
      )
    }
  }
  return problems
}

function quoteAll(ids: string[]): string {
  return joinAnd(ids.map((id) => JSON.stringify(id)))
}
