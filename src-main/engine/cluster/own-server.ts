import { ShardscopeError } from '../errors'
import type { ClusterModel, ClusterServer } from './cluster-model'
import type { ClusterProfile } from './cluster-profile'
import { serverAccess } from './cluster-profile'

/** How a machine knows itself: its host name and the addresses of its network interfaces. */
export interface HostIdentity {
  hostname: string
  addresses: string[]
}

/**
 * The server of a rank table (or hostfile) this machine is: the one whose id or address is this host's name or
 * one of its addresses, or whose SSH host in the cluster profile is. Host names match ignoring case, and a short
 * name matches its fully qualified form. Refuses, naming what it looked for, when no server or more than one
 * matches: a worker that guessed would write another server's ranks.
 */
export function findOwnServer(
  model: ClusterModel,
  self: HostIdentity,
  profile?: ClusterProfile
): ClusterServer {
  const names = [self.hostname, ...self.addresses].filter((n) => n !== '')
  const matches = model.servers.filter((server) => {
    const candidates = [
      server.id,
      server.address,
      profile ? serverAccess(profile, server.id).host : undefined
    ]
    return candidates.some((c) => c !== undefined && names.some((n) => sameHost(c, n)))
  })
  const described = `this host (${self.hostname}; addresses ${self.addresses.join(', ') || 'none'})`
  if (matches.length === 0)
    throw new ShardscopeError(
      'BAD_INPUT',
      `${model.source.file} has no server that is ${described}: it lists ${model.servers.map((s) => (s.address && s.address !== s.id ? `${s.id} (${s.address})` : s.id)).join(', ')}. Run each worker on a server of the table, or leave the table out to deal ranks by bytes.`,
      { file: model.source.file }
    )
  if (matches.length > 1)
    throw new ShardscopeError(
      'BAD_INPUT',
      `${model.source.file} has ${matches.length} servers that could be ${described}: ${matches.map((s) => s.id).join(', ')}; give each server its own address in the table.`,
      { file: model.source.file }
    )
  return matches[0]!
}

function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  if (x === y) return true
  const ip = /^[\d.]+$|:/
  if (ip.test(x) || ip.test(y)) return false
  return x.split('.')[0] === y.split('.')[0] && (!x.includes('.') || !y.includes('.'))
}
