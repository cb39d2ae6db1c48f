import { modelProblems } from '../../engine/cluster/cluster-model'
import { profileProblems, serverAccess } from '../../engine/cluster/cluster-profile'
import { serverFileSets } from '../../engine/cluster/server-files'
import { readConvertedFolder } from '../../services/cluster/manifest-hashes'
import { parseCommandArgs } from '../args'
import type { CliIO } from '../io'
import { formatBytes, formatTable } from '../table'
import { CLUSTER_OPTIONS, readLayout, readProfile } from './cluster-common'

export const NODES_USAGE = `Usage: shardscope nodes --rank-table <f> | --hostfile <f> [--cluster <profile>] [--out <converted folder>] [--json]

The cluster as the rank table (HCCL v1.0/v1.2) or MPI hostfile places it: rank → server → device. With --out,
the files every server needs (its rank_N/ folders and the destination strategy) and their bytes. With --cluster,
each server's SSH address and remote folder. Problems are listed in words; exits 2 when there are any.
`

export async function nodesCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('nodes', argv, { ...CLUSTER_OPTIONS, out: { type: 'string' } })
  if (values.help) {
    io.out(NODES_USAGE)
    return 0
  }
  const model = await readLayout(values)
  const profile = await readProfile(values, false)
  const converted = values.out !== undefined ? await readConvertedFolder(values.out) : undefined
  const ranks = converted
    ? converted.outputs.map((o) => o.rank)
    : model.servers.flatMap((s) => s.devices.map((d) => d.rank))
  const sets = converted ? serverFileSets(model, converted.outputs, converted.strategyFiles) : []
  const problems = [
    ...modelProblems(model, ranks),
    ...(profile
      ? profileProblems(
          profile,
          model,
          model.servers.map((s) => s.id)
        )
      : [])
  ]
  const servers = model.servers.map((server) => {
    const set = sets.find((s) => s.server === server.id)
    const access = profile ? serverAccess(profile, server.id) : undefined
    return {
      server: server.id,
      ...(server.address ? { address: server.address } : {}),
      devices: server.devices.map((d) => ({ deviceId: d.deviceId, rank: d.rank })),
      ...(set
        ? {
            files: set.files.map((f) => ({
              path: f.relativePath,
              size: f.size,
              ...(f.rank !== undefined ? { rank: f.rank } : {})
            })),
            bytes: set.bytes
          }
        : {}),
      ...(access
        ? {
            ssh: {
              host: access.host,
              port: access.port,
              user: access.user,
              remoteRoot: access.remoteRoot,
              hostKey: access.hostKey ?? null
            }
          }
        : {})
    }
  })
  if (values.json) {
    io.out(JSON.stringify({ source: model.source, servers, problems, warnings: model.tableProblems }) + '\n')
    return problems.length > 0 ? 2 : 0
  }
  const rows = servers.map((s) => [
    s.server,
    s.devices.map((d) => `${d.rank}@npu${d.deviceId}`).join(' '),
    s.files ? String(s.files.length) : '-',
    s.bytes !== undefined ? formatBytes(s.bytes) : '-',
    s.ssh
      ? `${s.ssh.user ?? '?'}@${s.ssh.host ?? '?'}:${s.ssh.port} ${s.ssh.remoteRoot ?? '(no remote root)'}`
      : '-'
  ])
  io.out(
    `${model.source.kind === 'rank-table' ? 'Rank table' : 'Hostfile'} ${model.source.file}: ${model.servers.length} server${model.servers.length === 1 ? '' : 's'}, ${ranks.length} rank${ranks.length === 1 ? '' : 's'}\n\n`
  )
  io.out(formatTable(['server', 'rank@device', 'files', 'bytes', 'ssh'], rows, [2, 3]) + '\n')
  for (const set of sets) {
    io.out(`\n${set.server}: ${set.files.map((f) => f.relativePath).join(', ')}\n`)
  }
  for (const warning of model.tableProblems) io.err(`warning: ${warning}\n`)
  for (const problem of problems) io.err(`error: ${problem}\n`)
  return problems.length > 0 ? 2 : 0
}
