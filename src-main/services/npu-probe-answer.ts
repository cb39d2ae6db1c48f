import type { LocalNpuDevice, LocalNpuProbe } from './npu-local-probe'

/** More than any host has; an answer with more devices is not believed. */
const MAX_DEVICES = 256
const MAX_NAME_LENGTH = 256

/**
 * The child's JSON answer, checked field by field and rebuilt from known fields only, or undefined when it is
 * not a probe result (the child is ours, but the driver shares its process and may have scribbled on it).
 */
export function parseProbeAnswer(text: string): LocalNpuProbe | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  if (value.available === false) {
    return typeof value.reason === 'string' && value.reason !== ''
      ? { available: false, reason: value.reason }
      : undefined
  }
  if (value.available !== true || (value.source !== 'dcmi' && value.source !== 'acl')) return undefined
  const raw = value.devices
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_DEVICES) return undefined
  const devices: LocalNpuDevice[] = []
  for (const entry of raw) {
    const device = parseDevice(entry)
    if (device === undefined) return undefined
    devices.push(device)
  }
  return { available: true, source: value.source, devices }
}

function parseDevice(entry: unknown): LocalNpuDevice | undefined {
  if (!isRecord(entry)) return undefined
  const { id, logicId, name, hbmTotalBytes, hbmUsedBytes } = entry
  if (!isCount(id) || !isCount(hbmTotalBytes) || !isCount(hbmUsedBytes)) return undefined
  if (logicId !== undefined && !isCount(logicId)) return undefined
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) return undefined
  const device: LocalNpuDevice = { id, hbmTotalBytes, hbmUsedBytes }
  if (logicId !== undefined) device.logicId = logicId
  if (name !== undefined) device.name = name
  return device
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
