import { fitCheck, deviceCountProblems } from '../../engine/cluster/npu-fit'
import { formatBytes } from '../../engine/util/format-bytes'
import { readConvertedFolder } from '../../services/cluster/manifest-hashes'
import { probeServers } from '../../services/cluster/probe'
import { parseCommandArgs } from '../args'
import type { CliIO } from '../io'
import {
  askToTrust,
  CLUSTER_OPTIONS,
  pinNewKeys,
  readLayout,
  readProfile,
  trustArguments
} from './cluster-common'

export const PROBE_USAGE = `Usage: shardscope probe --rank-table <f> | --hostfile <f> --cluster <profile> [--out <converted folder>]
         [--trust-host <server>=<SHA256:…>]... [--json]

Runs npu-smi on every server over SSH (info -l, info -m, info -t usages) and prints each NPU's memory. With
--out, checks every destination rank's shard against the memory of the NPU that will hold it. A server without
npu-smi says so; an unreachable one does not stop the others. Exits 1 when a server could not be probed or a
shard does not fit, 2 on bad input.
`

export async function probeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('probe', argv, { ...CLUSTER_OPTIONS, out: { type: 'string' } })
  if (values.help) {
    io.out(PROBE_USAGE)
    return 0
  }
  const model = await readLayout(values)
  const profile = (await readProfile(values, true))!
  const trust = trustArguments(values)
  const servers = model.servers.map((s) => s.id)
  let { probes, newTrust } = await probeServers(profile, servers, { trust })
  const unknown = probes.flatMap((p) =>
    p.hostKey?.kind === 'unknown' ? [{ server: p.server, fingerprint: p.hostKey.fingerprint }] : []
  )
  const asked = await askToTrust(io, unknown)
  if (asked.size > 0) {
    ;({ probes, newTrust } = await probeServers(profile, servers, { trust: new Map([...trust, ...asked]) }))
  }
  await pinNewKeys(io, values.cluster, profile, newTrust)
  const converted = values.out !== undefined ? await readConvertedFolder(values.out) : undefined
  const fits = converted
    ? fitCheck(model, new Map(converted.outputs.map((o) => [o.rank, o.size])), probes)
    : []
  const problems = converted
    ? deviceCountProblems(
        model,
        converted.outputs.map((o) => o.rank),
        probes
      )
    : []
  const bad =
    probes.some((p) => p.status !== 'ok') ||
    fits.some((f) => f.status === 'too-big' || f.status === 'no-npu') ||
    problems.length > 0
  if (values.json) {
    io.out(JSON.stringify({ probes, fits, problems }) + '\n')
    return bad ? 1 : 0
  }
  for (const probe of probes) {
    if (probe.status !== 'ok') {
      io.out(`${probe.server}: ${probe.message}\n`)
      continue
    }
    io.out(`${probe.server}: ${probe.npus.length} NPUs (npu-smi)\n`)
    for (const npu of probe.npus) {
      const used = npu.usedBytes === undefined ? '' : `, ${formatBytes(npu.totalBytes - npu.usedBytes)} free`
      io.out(
        `  NPU ${npu.deviceId}  ${npu.name ?? ''}  ${formatBytes(npu.totalBytes)} ${npu.memoryKind}${used}\n`
      )
    }
  }
  if (fits.length > 0)
    io.out(
      `\nFit check:\n${fits.map((f) => `  ${f.status === 'fits' ? 'ok  ' : f.status.toUpperCase()} ${f.message}`).join('\n')}\n`
    )
  for (const problem of problems) io.err(`error: ${problem}\n`)
  return bad ? 1 : 0
}
