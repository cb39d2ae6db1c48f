import { formatBytes } from '../util/format-bytes'
import type { ClusterModel } from './cluster-model'
import { rankPlaces } from './cluster-model'
import type { NpuChip, NpuUsage } from './npu-smi'

/** One NPU as a probe saw it; `deviceId` is the logic id a rank table's `device_id` names. */
export interface ProbedNpu {
  deviceId: number
  name?: string
  memoryKind: 'HBM' | 'DDR'
  totalBytes: number
  usedBytes?: number
}

export type ServerProbe =
  | { server: string; status: 'ok'; via: 'npu-smi' | 'local'; npus: ProbedNpu[] }
  | { server: string; status: 'no-npu-smi' | 'failed'; message: string }

const MIB = 1024 * 1024

/** The chips of `info -m` that ranks can run on, joined with their `-t usages` blocks. */
export function probedNpus(chips: NpuChip[], usages: Map<string, NpuUsage | undefined>): ProbedNpu[] {
  return chips.flatMap((chip) => {
    if (chip.logicId === undefined) return []
    const usage = usages.get(`${chip.npuId}:${chip.chipId}`)
    if (!usage) return []
    const npu: ProbedNpu = {
      deviceId: chip.logicId,
      name: chip.name,
      memoryKind: usage.memoryKind,
      totalBytes: usage.capacityMiB * MIB
    }
    if (usage.usagePercent !== undefined)
      npu.usedBytes = Math.round((usage.capacityMiB * usage.usagePercent) / 100) * MIB
    return [npu]
  })
}

export interface RankFit {
  rank: number
  server: string
  deviceId: number
  shardBytes: number
  status: 'fits' | 'tight' | 'too-big' | 'no-npu' | 'unknown'
  message: string
}

/**
 * For each destination rank: its shard's bytes against the memory of the NPU that will hold it. A shard that fits
 * the total but not what is free now is `tight` (something else is running there).
 */
export function fitCheck(
  model: ClusterModel,
  shardBytes: Map<number, number>,
  probes: ServerProbe[]
): RankFit[] {
  const places = rankPlaces(model)
  const byServer = new Map(probes.map((p) => [p.server, p]))
  return [...shardBytes]
    .sort(([a], [b]) => a - b)
    .flatMap(([rank, bytes]): RankFit[] => {
      const place = places.get(rank)
      if (!place) return []
      const base = { rank, server: place.server, deviceId: place.deviceId, shardBytes: bytes }
      const shard = `rank ${rank}: ${formatBytes(bytes)} shard`
      const probe = byServer.get(place.server)
      if (!probe || probe.status !== 'ok') {
        const why = probe ? probe.message : 'not probed'
        return [
          {
            ...base,
            status: 'unknown' as const,
            message: `${shard}, NPU ${place.deviceId} on ${place.server}: ${why}`
          }
        ]
      }
      const npu = probe.npus.find((n) => n.deviceId === place.deviceId)
      if (!npu) {
        return [
          {
            ...base,
            status: 'no-npu' as const,
            message: `${shard}, but ${place.server} has no NPU ${place.deviceId} (it has ${probe.npus.map((n) => n.deviceId).join(', ') || 'none'}).`
          }
        ]
      }
      const free = npu.usedBytes === undefined ? undefined : npu.totalBytes - npu.usedBytes
      const has = `NPU ${place.deviceId} on ${place.server} has ${formatBytes(npu.totalBytes)}${npu.memoryKind === 'DDR' ? ' DDR' : ''}${free === undefined ? '' : `, ${formatBytes(free)} free`}`
      const status =
        bytes > npu.totalBytes ? 'too-big' : free !== undefined && bytes > free ? 'tight' : 'fits'
      const verdict =
        status === 'too-big' ? ' — does not fit' : status === 'tight' ? ' — more than is free now' : ''
      return [{ ...base, status, message: `${shard}, ${has}${verdict}` }]
    })
}

/** Servers that would run more ranks than the probe found NPUs. */
export function deviceCountProblems(
  model: ClusterModel,
  destinationRanks: number[],
  probes: ServerProbe[]
): string[] {
  return probes.flatMap((probe) => {
    if (probe.status !== 'ok') return []
    const server = model.servers.find((s) => s.id === probe.server)
    const held = server?.devices.filter((d) => destinationRanks.includes(d.rank)).length ?? 0
    return held > probe.npus.length
      ? [
          `Server ${probe.server} would run ${held} ranks but its probe found ${probe.npus.length} NPU${probe.npus.length === 1 ? '' : 's'}.`
        ]
      : []
  })
}
