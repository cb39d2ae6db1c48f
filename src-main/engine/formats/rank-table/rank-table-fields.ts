import { ShardscopeError } from '../../errors'

export type JsonObject = Record<string, unknown>

/** The file and the spot inside it (`server_list[1] ("node_1"), device[3]`) that an error sentence names. */
export interface Site {
  file: string
  where: string
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** How servers are named in sentences: the index stays unambiguous even when two servers share an id. */
export function serverPlace(index: number, id: string): string {
  return `server_list[${index}] (${JSON.stringify(id)})`
}

export function badInput(site: Site, detail: string): ShardscopeError {
  return new ShardscopeError('BAD_INPUT', `${site.file}: ${site.where} ${detail}.`, { file: site.file })
}

export function objectAt(value: unknown, site: Site): JsonObject {
  if (!isJsonObject(value)) throw badInput(site, `is ${describe(value)} where an object is expected`)
  return value
}

export function listField(object: JsonObject, key: string, site: Site): unknown[] {
  const value = object[key]
  if (value === undefined) throw badInput(site, `has no ${key} list`)
  if (!Array.isArray(value)) throw badInput(site, `has ${key} ${describe(value)} where a list is expected`)
  return value
}

export function optionalListField(object: JsonObject, key: string, site: Site): unknown[] | undefined {
  return object[key] === undefined ? undefined : listField(object, key, site)
}

export function textField(object: JsonObject, key: string, site: Site): string {
  const value = optionalTextField(object, key, site)
  if (value === undefined) throw badInput(site, `has no ${key}`)
  return value
}

/** Absent and empty read alike: real tables leave unused fields as "" (e.g. `server_ip` in cross-cluster tables). */
export function optionalTextField(object: JsonObject, key: string, site: Site): string | undefined {
  const value = object[key]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string')
    throw badInput(site, `has ${key} ${describe(value)} where a string is expected`)
  return value
}

/** An identifier that may be written as a string or a number (`super_pod_id`), always returned as a string. */
export function idField(object: JsonObject, key: string, site: Site): string {
  const value = object[key]
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return textField(object, key, site)
}

/** HCCL writes every number as a string ("0"); hand-written tables often use plain numbers. Both are fine. */
export function wholeNumberField(object: JsonObject, key: string, site: Site): number {
  const value = optionalWholeNumberField(object, key, site)
  if (value === undefined) throw badInput(site, `has no ${key}`)
  return value
}

export function optionalWholeNumberField(object: JsonObject, key: string, site: Site): number | undefined {
  const value = object[key]
  if (value === undefined || value === '') return undefined
  const parsed = toWholeNumber(value)
  if (parsed === undefined) throw badInput(site, `has ${key} ${describe(value)}, which is not a whole number`)
  return parsed
}

function toWholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string' || !/^\s*\d+\s*$/.test(value)) return undefined
  const parsed = Number(value)
  return Number.isSafeInteger(parsed) ? parsed : undefined
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return String(value)
}
