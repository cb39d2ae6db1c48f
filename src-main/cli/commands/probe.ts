import { fitCheck, deviceCountProblems, type ProbedNpu } from '../../engine/cluster/npu-fit'
import { ShardscopeError } from '../../engine/errors'
import { formatBytes } from '../../engine/util/format-bytes'
import type { LocalProbe, LocalProbeOptions } from '../../services/cluster/local-npus'
import { probeThisMachine } from '../../services/cluster/local-npus'
import { readConvertedFolder } from '../../services/cluster/manifest-hashes'
import { probeCluster, type ProbeResult } from '../../services/cluster/probe'
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
         [--local] [--npu-library-path <dir>] [--trust-host <server>=<SHA256:…>]... [--json]
       shardscope probe --local [--npu-library-path <dir>] [--json]

Runs npu-smi on every server over SSH (info -m, info -t usages) and prints each NPU's memory. With --out,
checks every destination rank's shard against the memory of the NPU that will hold it. A server without
npu-smi says so; an unreachable one does not stop the others.

On an Ascend host, or with --local, this machine's NPUs are also read from its driver (libdcmi.so, else the
CANN runtime's libascendcl.so, found through ASCEND_HOME_PATH / ASCEND_TOOLKIT_HOME or /usr/local/Ascend) and
listed as "this machine"; a server of the rank table that is this machine is probed that way, without SSH.

  --npu-library-path   a folder searched first for libdcmi.so and libascendcl.so

Exits 1 when a server (or, with --local, this machine) could not be probed or a shard does not fit, 2 on bad
input.
`

function printNpus(io: CliIO, npus: ProbedNpu[]): void {
  for (const npu of npus) {
    const used = npu.usedBytes === undefined ? '' : `, ${formatBytes(npu.totalBytes - npu.usedBytes)} free`
    io.out(
      `  NPU ${npu.deviceId}  ${npu.name ?? ''}  ${formatBytes(npu.totalBytes)} ${npu.memoryKind}${used}\n`
    )
  }
}

function printLocal(io: CliIO, local: LocalProbe): void {
  if (local.status !== 'ok') {
    io.out(`this machine: ${local.message}\n`)
    return
  }
  const library = local.source === 'dcmi' ? 'libdcmi.so' : 'libascendcl.so'
  io.out(`this machine: ${local.npus.length} NPUs (driver, ${library})\n`)
  printNpus(io, local.npus)
}

function printProbe(io: CliIO, probe: ProbeResult): void {
  if (probe.status !== 'ok') {
    io.out(`${probe.server}: ${probe.message}\n`)
    return
  }
  io.out(
    `${probe.server}: ${probe.npus.length} NPUs (${probe.via === 'local' ? 'this machine, driver' : 'npu-smi'})\n`
  )
  printNpus(io, probe.npus)
}

export async function probeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('probe', argv, {
    ...CLUSTER_OPTIONS,
    out: { type: 'string' },
    local: { type: 'boolean' },
    'npu-library-path': { type: 'string' }
  })
  if (values.help) {
    io.out(PROBE_USAGE)
    return 0
  }
  const libraryPath = values['npu-library-path']
  if (libraryPath !== undefined && !values.local)
    throw new ShardscopeError('BAD_INPUT', '--npu-library-path goes with --local.')
  const localOptions: LocalProbeOptions = {
    ...(libraryPath !== undefined ? { libraryPath } : {}),
    ...(io.signal ? { signal: io.signal } : {})
  }
  if (values.local && values['rank-table'] === undefined && values.hostfile === undefined) {
    const local = await probeThisMachine(localOptions)
    if (values.json) io.out(JSON.stringify({ local }) + '\n')
    else printLocal(io, local)
    return local.status === 'ok' ? 0 : 1
  }
  const model = await readLayout(values)
  const profile = (await readProfile(values, true))!
  const trust = trustArguments(values)
  const local = values.local ? localOptions : ('auto' as const)
  let report = await probeCluster(model, profile, { trust, local })
  const unknown = report.probes.flatMap((p) =>
    p.hostKey?.kind === 'unknown' ? [{ server: p.server, fingerprint: p.hostKey.fingerprint }] : []
  )
  const asked = await askToTrust(io, unknown)
  if (asked.size > 0)
    report = await probeCluster(model, profile, { trust: new Map([...trust, ...asked]), local })
  const { probes, newTrust } = report
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
    (values.local === true && report.local?.status !== 'ok') ||
    fits.some((f) => f.status === 'too-big' || f.status === 'no-npu') ||
    problems.length > 0
  if (values.json) {
    io.out(
      JSON.stringify({ probes, fits, problems, ...(report.local ? { local: report.local } : {}) }) + '\n'
    )
    return bad ? 1 : 0
  }
  if (report.local) printLocal(io, report.local)
  for (const probe of probes) printProbe(io, probe)
  if (fits.length > 0)
    io.out(
      `\nFit check:\n${fits.map((f) => `  ${f.status === 'fits' ? 'ok  ' : f.status.toUpperCase()} ${f.message}`).join('\n')}\n`
    )
  for (const problem of problems) io.err(`error: ${problem}\n`)
  return bad ? 1 : 0
}
