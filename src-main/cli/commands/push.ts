import { ShardscopeError } from '../../engine/errors'
import { formatBytes } from '../../engine/util/format-bytes'
import { readConvertedFolder } from '../../services/cluster/manifest-hashes'
import { launchForPush } from '../../services/cluster/launch'
import { runPush, type PushReport } from '../../services/cluster/push'
import { planPush, type PushPlan } from '../../services/cluster/push-plan'
import type { PushEvent } from '../../services/cluster/push-types'
import { parseCommandArgs, requireInteger } from '../args'
import type { CliIO } from '../io'
import { formatTable } from '../table'
import {
  askToTrust,
  CLUSTER_OPTIONS,
  formatLaunch,
  pinNewKeys,
  readLayout,
  readProfile,
  trustArguments
} from './cluster-common'

export const PUSH_USAGE = `Usage: shardscope push --out <converted folder> --rank-table <f> | --hostfile <f> --cluster <profile>
         [--remote-root <dir>] [--name <n>] [--dry-run] [--jobs <n>] [--trust-host <server>=<SHA256:…>]... [--json]

Places a converted checkpoint on the servers that will load it: each server gets only its ranks' rank_N/ folders
and the destination strategy, under <remote root>/<name>/. Files go to a hidden incoming folder, are verified on
the node with sha256sum or openssl, and only then renamed into place; a completion marker is written last. Old
checkpoint files in a destination rank_N/ are moved to .shardscope-replaced/. Servers sharing one storage are
written once. A killed push resumes (verified files are not sent again, partial ones continue after their
checked prefix); re-running a finished push only verifies. Unknown host keys are shown as SHA256 fingerprints
and used only once trusted (--trust-host, or a prompt on a terminal), then pinned in the profile.

  --jobs   file uploads in flight over all servers (default 4)

Exit codes: 0 every server done, 1 a server is not done (unreachable, untrusted key, verification failed,
disk full), 2 bad input (nothing sent), 130 cancelled (run again to resume).
`

function progress(io: CliIO) {
  const announced = new Map<string, string>()
  return (event: PushEvent) => {
    if (event.file?.outcome) {
      const f = event.file
      io.err(`${event.server}: ${f.relativePath} ${f.outcome} (${formatBytes(f.size)})\n`)
      return
    }
    if (event.file || announced.get(event.server) === event.state) return
    announced.set(event.server, event.state)
    io.err(
      `${event.server}: ${event.state}${event.message ? ` — ${event.message}` : ''} (${formatBytes(event.bytesSent)} of ${formatBytes(event.bytesTotal)} sent)\n`
    )
  }
}

function describePlan(plan: PushPlan): string {
  return formatTable(
    ['server', 'ranks', 'files', 'bytes', 'remote folder'],
    plan.servers.map((s) => [
      s.server,
      s.ranks.join(' '),
      s.files.length,
      formatBytes(s.bytes),
      s.folder ?? '-'
    ]),
    [2, 3]
  )
}

function describeReport(report: PushReport): string {
  const rows = report.servers.map((s) => [
    s.server,
    s.state === 'done'
      ? s.sharedWith
        ? `done (shared storage with ${s.sharedWith})`
        : s.alreadyComplete
          ? 'done, verified (nothing to send)'
          : 'done'
      : s.state.toUpperCase(),
    formatBytes(s.bytesSent),
    s.hashTool ?? '-',
    s.message ?? (s.movedAside.length > 0 ? `moved aside: ${s.movedAside.join(', ')}` : '')
  ])
  return formatTable(['server', 'result', 'sent', 'verified with', 'note'], rows, [2])
}

export async function pushCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('push', argv, {
    ...CLUSTER_OPTIONS,
    out: { type: 'string' },
    'remote-root': { type: 'string' },
    name: { type: 'string' },
    'dry-run': { type: 'boolean' },
    jobs: { type: 'string' }
  })
  if (values.help) {
    io.out(PUSH_USAGE)
    return 0
  }
  if (values.out === undefined)
    throw new ShardscopeError('BAD_INPUT', '--out <converted folder> is required.')
  if (values['remote-root'] !== undefined && !values['remote-root'].startsWith('/'))
    throw new ShardscopeError(
      'BAD_INPUT',
      `--remote-root must be an absolute path on the servers, got "${values['remote-root']}".`
    )
  const jobs = values.jobs === undefined ? undefined : requireInteger('--jobs', values.jobs)
  if (jobs === 0) throw new ShardscopeError('BAD_INPUT', '--jobs must be at least 1.')
  const model = await readLayout(values)
  const profile = (await readProfile(values, true))!
  const converted = await readConvertedFolder(values.out)
  const plan = planPush(model, converted, profile, {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values['remote-root'] !== undefined ? { remoteRoot: values['remote-root'] } : {})
  })
  for (const warning of plan.warnings) io.err(`warning: ${warning}\n`)
  if (plan.problems.length > 0) {
    for (const problem of plan.problems) io.err(`error: ${problem}\n`)
    throw new ShardscopeError(
      'PLAN_INVALID',
      `nothing was sent: ${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'} above must be fixed first.`
    )
  }
  const launch = launchForPush(model, profile, converted, plan)
  if (values['dry-run']) {
    if (values.json) io.out(JSON.stringify({ plan, launch }) + '\n')
    else io.out(`Push plan (dry run, nothing sent):\n\n${describePlan(plan)}${formatLaunch(launch)}`)
    return 0
  }
  const trust = trustArguments(values)
  const options = {
    profile,
    trust,
    ...(jobs !== undefined ? { jobs } : {}),
    signal: io.signal,
    onEvent: progress(io)
  }
  let report = await runPush(plan, options)
  const unknown = report.servers.flatMap((s) =>
    s.hostKey?.kind === 'unknown' ? [{ server: s.server, fingerprint: s.hostKey.fingerprint }] : []
  )
  const asked = await askToTrust(io, unknown)
  if (asked.size > 0) {
    const newTrust = report.newTrust
    report = await runPush(plan, { ...options, trust: new Map([...trust, ...asked]) })
    report.newTrust.push(...newTrust)
  }
  await pinNewKeys(io, values.cluster, profile, report.newTrust)
  const done = report.servers.filter((s) => s.state === 'done').map((s) => s.server)
  const notDone = report.servers.filter((s) => s.state !== 'done').map((s) => s.server)
  if (values.json) {
    io.out(JSON.stringify({ ...report, launch }) + '\n')
  } else {
    io.out(describeReport(report))
    io.out(
      `\nSent ${formatBytes(report.bytesSent)}.${report.recordedHashes > 0 ? ` Recorded ${report.recordedHashes} SHA-256 digests in the manifest.` : ''}\n`
    )
    io.out(
      notDone.length === 0
        ? `All ${done.length} servers done.\n`
        : `Done: ${done.join(', ') || 'none'}. Not done: ${notDone.join(', ')}; run the push again to resume.\n`
    )
    if (notDone.length === 0) io.out(formatLaunch(launch))
  }
  return notDone.length === 0 ? 0 : 1
}
