import { createInterface } from 'node:readline/promises'
import type { ClusterModel } from '../../engine/cluster/cluster-model'
import { isFingerprint, withTrustedKey, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import type { LaunchHelp } from '../../engine/cluster/launch-commands'
import { ShardscopeError } from '../../engine/errors'
import {
  readClusterLayout,
  readClusterProfile,
  writeClusterProfile
} from '../../services/cluster/cluster-files'
import type { NewTrust } from '../../services/cluster/ssh-transport'
import type { CliIO } from '../io'

export const CLUSTER_OPTIONS = {
  'rank-table': { type: 'string' },
  hostfile: { type: 'string' },
  cluster: { type: 'string' },
  'trust-host': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

export async function readLayout(values: {
  'rank-table'?: string
  hostfile?: string
}): Promise<ClusterModel> {
  const path = values['rank-table'] ?? values.hostfile
  if (path === undefined)
    throw new ShardscopeError('BAD_INPUT', '--rank-table <file> (or --hostfile <file>) is required.')
  return readClusterLayout(path)
}

export async function readProfile(
  values: { cluster?: string },
  required: boolean
): Promise<ClusterProfile | undefined> {
  if (values.cluster === undefined) {
    if (required)
      throw new ShardscopeError(
        'BAD_INPUT',
        '--cluster <profile.json> is required: it says how to reach each server (see README, "Cluster profile").'
      )
    return undefined
  }
  return readClusterProfile(values.cluster)
}

/** `--trust-host node-1=SHA256:…`, repeatable. */
export function trustArguments(values: { 'trust-host'?: string[] }): Map<string, string> {
  const trust = new Map<string, string>()
  for (const entry of values['trust-host'] ?? []) {
    const at = entry.indexOf('=')
    const fingerprint = entry.slice(at + 1)
    if (at <= 0 || !isFingerprint(fingerprint))
      throw new ShardscopeError(
        'BAD_INPUT',
        `--trust-host must be <server>=SHA256:<fingerprint> as ssh-keygen -lf prints it, got "${entry}".`
      )
    trust.set(entry.slice(0, at), fingerprint)
  }
  return trust
}

/** On a terminal, asks about each unknown key; returns the ones the user trusts. */
export async function askToTrust(
  io: CliIO,
  unknown: { server: string; fingerprint: string }[]
): Promise<Map<string, string>> {
  const trusted = new Map<string, string>()
  if (!io.interactive || process.stdin.isTTY !== true || unknown.length === 0) return trusted
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    for (const { server, fingerprint } of unknown) {
      const answer = await rl.question(
        `${server} presents host key ${fingerprint}. Trust it and pin it in the profile? [y/N] `
      )
      if (/^y(es)?$/i.test(answer.trim())) trusted.set(server, fingerprint)
    }
  } finally {
    rl.close()
  }
  return trusted
}

/** Pins keys accepted in this run into the profile file, atomically, and says so. */
export async function pinNewKeys(
  io: CliIO,
  path: string | undefined,
  profile: ClusterProfile,
  accepted: NewTrust[]
): Promise<ClusterProfile> {
  if (!path || accepted.length === 0) return profile
  let updated = profile
  for (const key of accepted) updated = withTrustedKey(updated, key.server, key.fingerprint, key.jump)
  await writeClusterProfile(path, updated)
  for (const key of accepted)
    io.err(
      `pinned ${key.jump ? 'jump host key of' : 'host key of'} ${key.server} (${key.fingerprint}) in ${path}\n`
    )
  return updated
}

export function formatLaunch(help: LaunchHelp): string {
  return (
    '\nLaunch (one line per server):\n' +
    help.commands.map((c) => `  ${c.server}: ${c.msrun}`).join('\n') +
    '\n\nMindFormers settings:\n' +
    help.mindformers.map((l) => `  ${l}`).join('\n') +
    '\n'
  )
}
