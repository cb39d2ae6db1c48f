import { ShardscopeError } from '../errors'
import type { ClusterModel } from './cluster-model'

/** How to reach one server by SSH: what a rank table cannot say. */
export interface ServerAccess {
  host: string
  port: number
  user: string
  /** Private key file; absent when `agent` is used. The key itself is never stored here. */
  identityFile?: string
  /** Authenticate with the running ssh-agent (`SSH_AUTH_SOCK`). */
  agent?: boolean
  jump?: { host: string; port: number; user: string; hostKey?: string }
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it; set when the user trusts the key. */
  hostKey?: string
  remoteRoot: string
}

/** `shardscope-cluster.json`: per-server access, keyed by the rank table's server_id (or hostfile host). */
export interface ClusterProfile {
  format: 'shardscope-cluster'
  version: 1
  /** Shared by every server unless the server says otherwise. */
  defaults?: Partial<Omit<ServerAccess, 'hostKey' | 'jump'>>
  servers: Record<string, Partial<ServerAccess>>
  /** msrun --master_port. */
  masterPort?: number
}

export const DEFAULT_MASTER_PORT = 8118
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/
const KNOWN_SERVER_KEYS = ['host', 'port', 'user', 'identityFile', 'agent', 'jump', 'hostKey', 'remoteRoot']

export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text)
}

/** Reads a profile's JSON; structure errors name the file and the field. */
export function parseClusterProfile(text: string, file: string): ClusterProfile {
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new ShardscopeError('BAD_INPUT', `${file} is not valid JSON (${(err as Error).message}).`, { file })
  }
  const bad = (where: string, what: string) =>
    new ShardscopeError('BAD_INPUT', `${file}: ${where} ${what}.`, { file })
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw bad('the top level', 'must be an object')
  const root = json as Record<string, unknown>
  if (root.format !== 'shardscope-cluster') throw bad('"format"', 'must be "shardscope-cluster"')
  if (root.version !== 1) throw bad('"version"', 'must be 1')
  if (typeof root.servers !== 'object' || root.servers === null || Array.isArray(root.servers))
    throw bad('"servers"', 'must be an object keyed by server id')
  const check = (entry: unknown, where: string) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw bad(where, 'must be an object')
    const record = entry as Record<string, unknown>
    for (const key of Object.keys(record))
      if (!KNOWN_SERVER_KEYS.includes(key)) throw bad(`${where}.${key}`, 'is not a known setting')
    for (const key of ['host', 'user', 'identityFile', 'remoteRoot'])
      if (record[key] !== undefined && (typeof record[key] !== 'string' || record[key] === ''))
        throw bad(`${where}.${key}`, 'must be a non-empty string')
    if (
      record.port !== undefined &&
      !(Number.isInteger(record.port) && (record.port as number) > 0 && (record.port as number) < 65536)
    )
      throw bad(`${where}.port`, 'must be a port number')
    if (record.agent !== undefined && typeof record.agent !== 'boolean')
      throw bad(`${where}.agent`, 'must be true or false')
    if (
      record.hostKey !== undefined &&
      !(typeof record.hostKey === 'string' && isFingerprint(record.hostKey))
    )
      throw bad(
        `${where}.hostKey`,
        'must be a SHA256 fingerprint like "SHA256:…" as ssh-keygen -lf prints it'
      )
    if (record.remoteRoot !== undefined && !String(record.remoteRoot).startsWith('/'))
      throw bad(`${where}.remoteRoot`, 'must be an absolute path')
    if (record.jump !== undefined) {
      const jump = record.jump as Record<string, unknown>
      if (typeof jump !== 'object' || jump === null || typeof jump.host !== 'string' || jump.host === '')
        throw bad(`${where}.jump`, 'must be an object with a host')
      if (jump.hostKey !== undefined && !(typeof jump.hostKey === 'string' && isFingerprint(jump.hostKey)))
        throw bad(`${where}.jump.hostKey`, 'must be a SHA256 fingerprint')
    }
  }
  if (root.defaults !== undefined) check(root.defaults, '"defaults"')
  for (const [id, entry] of Object.entries(root.servers as Record<string, unknown>))
    check(entry, `servers[${JSON.stringify(id)}]`)
  if (
    root.masterPort !== undefined &&
    !(Number.isInteger(root.masterPort) && (root.masterPort as number) > 0)
  )
    throw bad('"masterPort"', 'must be a port number')
  return json as ClusterProfile
}

/** A server's settings with the defaults filled in; `undefined` fields stay absent. */
export function serverAccess(profile: ClusterProfile, server: string): Partial<ServerAccess> {
  const merged: Partial<ServerAccess> = {
    port: 22,
    ...(profile.defaults ?? {}),
    ...(profile.servers[server] ?? {})
  }
  if (merged.jump)
    merged.jump = {
      ...merged.jump,
      port: merged.jump.port ?? 22,
      user: merged.jump.user ?? merged.user ?? 'root'
    }
  return merged
}

/** Servers the profile cannot reach, in words: no SSH address, no user, no remote root, no way to log in. */
export function profileProblems(profile: ClusterProfile, model: ClusterModel, servers: string[]): string[] {
  const problems: string[] = []
  for (const id of servers) {
    const access = serverAccess(profile, id)
    const known = model.servers.some((s) => s.id === id)
    if (!known) continue
    if (!access.host) problems.push(`Server ${id} has no SSH address (host) in the cluster profile.`)
    if (!access.user) problems.push(`Server ${id} has no SSH user in the cluster profile.`)
    if (!access.identityFile && !access.agent)
      problems.push(`Server ${id} has neither an identity file nor "agent": true in the cluster profile.`)
  }
  const unknown = Object.keys(profile.servers).filter((id) => !model.servers.some((s) => s.id === id))
  if (unknown.length > 0)
    problems.push(
      `The cluster profile names ${unknown.length === 1 ? 'a server' : 'servers'} the rank table does not have: ${unknown.join(', ')}.`
    )
  return problems
}

/** The profile with one server's host key pinned (or the jump host's, when `jump` is set). */
export function withTrustedKey(
  profile: ClusterProfile,
  server: string,
  fingerprint: string,
  jump = false
): ClusterProfile {
  if (!isFingerprint(fingerprint))
    throw new ShardscopeError('BAD_INPUT', `"${fingerprint}" is not a SHA256 host-key fingerprint.`)
  const entry = { ...(profile.servers[server] ?? {}) }
  if (jump) {
    const merged = serverAccess(profile, server).jump
    if (!merged) throw new ShardscopeError('BAD_INPUT', `Server ${server} has no jump host to trust.`)
    entry.jump = { ...merged, hostKey: fingerprint }
  } else entry.hostKey = fingerprint
  return { ...profile, servers: { ...profile.servers, [server]: entry } }
}

export function formatClusterProfile(profile: ClusterProfile): string {
  return JSON.stringify(profile, null, 2) + '\n'
}
