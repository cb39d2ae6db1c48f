import { join } from 'node:path'
import type { ClusterModel } from '../../engine/cluster/cluster-model'
import { modelProblems } from '../../engine/cluster/cluster-model'
import { profileProblems, serverAccess, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import { serverFileSets } from '../../engine/cluster/server-files'
import { ShardscopeError } from '../../engine/errors'
import type { ConvertedFolder } from './manifest-hashes'
import type { PlannedFile } from './push-types'
import { joinRemote } from './transport'

export interface ServerPlan {
  server: string
  ranks: number[]
  files: PlannedFile[]
  bytes: number
  /** `<remote root>/<name>` on that server. */
  folder?: string
}

/** A push as data: which files go to which server and where; shown first, executed after, never re-derived. */
export interface PushPlan {
  name: string
  source: string
  servers: ServerPlan[]
  /** Sentences that stop the push (no server for a rank, no SSH address, …). */
  problems: string[]
  /** Sentences worth knowing that do not stop it (a rank table HCCL would refuse as it is, …). */
  warnings: string[]
}

const NAME = /^[A-Za-z0-9._-]{1,128}$/

export function defaultPushName(folder: string): string {
  return (
    folder
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop()!
      .replace(/[^A-Za-z0-9._-]/g, '_') || 'checkpoint'
  )
}

export function planPush(
  model: ClusterModel,
  converted: ConvertedFolder,
  profile: ClusterProfile | undefined,
  options: { name?: string; remoteRoot?: string } = {}
): PushPlan {
  const name = options.name ?? defaultPushName(converted.folder)
  if (!NAME.test(name) || name.startsWith('.')) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `--name must be a plain folder name (letters, digits, . _ -), got "${name}".`
    )
  }
  const sets = serverFileSets(model, converted.outputs, converted.strategyFiles)
  const strategyByPath = new Map(converted.strategyFiles.map((f) => [f.relativePath, f.localPath]))
  const ranks = converted.outputs.map((o) => o.rank)
  const problems = modelProblems(model, ranks)
  const ids = model.servers.map((s) => s.id)
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i)
  if (twice.length > 0)
    problems.push(
      `${model.source.file} uses server id ${[...new Set(twice)].join(', ')} for more than one server, so files cannot be placed by server; give each server its own id.`
    )
  if (profile)
    problems.push(
      ...profileProblems(
        profile,
        model,
        sets.map((s) => s.server)
      )
    )
  const servers = sets.map((set): ServerPlan => {
    const access = profile ? serverAccess(profile, set.server) : {}
    const root = options.remoteRoot ?? access.remoteRoot
    if (profile && root === undefined)
      problems.push(
        `Server ${set.server} has no remote root: give --remote-root or "remoteRoot" in the cluster profile.`
      )
    const plan: ServerPlan = {
      server: set.server,
      ranks: set.ranks,
      bytes: set.bytes,
      files: set.files.map((f) => ({
        relativePath: f.relativePath,
        localPath: strategyByPath.get(f.relativePath) ?? join(converted.folder, ...f.relativePath.split('/')),
        size: f.size,
        ...(f.rank !== undefined ? { rank: f.rank } : {}),
        ...(f.hashes.sha256 ? { sha256: f.hashes.sha256 } : {}),
        ...(f.hashes.xxh3_128 ? { xxh3_128: f.hashes.xxh3_128 } : {})
      }))
    }
    if (root !== undefined) plan.folder = joinRemote(root, name)
    return plan
  })
  if (converted.outputs.length === 0)
    problems.push(`${converted.folder} lists no outputs in its manifest; there is nothing to push.`)
  return { name, source: converted.folder, servers, problems, warnings: [...model.tableProblems] }
}
