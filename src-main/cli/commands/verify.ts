import { ShardscopeError } from '../../engine/errors'
import { verifyDestination, type DestinationVerification } from '../../engine/exec/verify-outputs'
import { listNames } from '../../engine/plan/param-catalog'
import { listRanks } from '../../engine/cluster/worker-assignment'
import { parseCommandArgs } from '../args'
import { EXIT_OK, EXIT_VERIFY_FAILED } from '../exit-codes'
import type { CliIO } from '../io'
import { formatBytes } from '../table'

export const VERIFY_USAGE = `Usage: shardscope verify <dst> [--node] [--json]

Re-reads every output listed in <dst>/shardscope-manifest.json and checks its size and every checksum recorded
(XXH3-128, and SHA-256 where the run or a push recorded it), and says how complete the conversion is (a
cancelled run leaves some destination ranks to do).
A folder written by workers (transform --worker) has one manifest per worker: they are merged, must be of one
conversion and one dealing of ranks, and every destination rank of their shares must be there exactly once.
Every worker's share must be in the folder, unless --node says it is one node's own destination: then only the
shares whose manifests are in it (each records its ranks) are expected.
Exit codes: 0 all listed outputs verified, 1 a file is missing or differs, or there is no finished output to
verify, 2 no manifest.
`

const WORDS = {
  ok: 'ok',
  missing: 'MISSING',
  'size-mismatch': 'WRONG SIZE',
  'checksum-mismatch': 'CHECKSUM MISMATCH',
  unverifiable: 'NO KNOWN HASH'
} as const

export async function verifyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', argv, {
    json: { type: 'boolean' },
    node: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    io.out(VERIFY_USAGE)
    return EXIT_OK
  }
  if (positionals.length !== 1)
    throw new ShardscopeError(
      'BAD_INPUT',
      `expected one destination folder, got ${positionals.length} arguments.`
    )
  const folder = positionals[0]!
  const verification = await verifyDestination(folder, { signal: io.signal, nodeOnly: values.node === true })
  const results = verification.outputs
  const bad = results.filter((r) => r.status !== 'ok')
  const shareProblems = verification.shares?.problems ?? []
  // Nothing to check is not "all verified": a cancelled or empty run must not pass a `transform && verify`.
  const verified = results.length > 0 && bad.length === 0 && shareProblems.length === 0
  if (values.json) {
    io.out(JSON.stringify({ verified, ...verification }) + '\n')
    return verified ? EXIT_OK : EXIT_VERIFY_FAILED
  }
  for (const r of results) {
    const detail =
      r.status === 'size-mismatch' ? ` (${formatBytes(r.size)}, expected ${formatBytes(r.expectedSize)})` : ''
    io.out(`${WORDS[r.status].padEnd(17)} ${r.output}${detail}\n`)
  }
  if (verification.shares) {
    const s = verification.shares
    io.out(
      `Workers: ${s.present.length} of ${s.count} shares in this folder` +
        (s.present.length > 0
          ? ` (${s.present.map((p) => `${p.index}${p.server ? ` ${p.server}` : ''}: ranks ${listRanks(p.ranks)}`).join('; ')})`
          : '') +
        (s.nodeOnly && s.absent.length > 0 ? '; the others are on other nodes (--node)' : '') +
        '.\n'
    )
    for (const problem of s.problems) io.out(`PROBLEM           ${problem}\n`)
  }
  if (results.length === 0) {
    io.err(
      `shardscope verify: nothing to verify: the manifest of ${folder} lists no finished output${completeness(verification)}.\n`
    )
    return EXIT_VERIFY_FAILED
  }
  if (verification.shares) {
    io.out(
      verified
        ? `All ${results.length} output${results.length === 1 ? '' : 's'} of ${verification.shares.nodeOnly ? 'the shares here' : 'every worker'} verified; each destination rank is there exactly once.\n`
        : `Not verified: ${[bad.length > 0 ? `${bad.length} of ${results.length} outputs failed` : '', shareProblems.length > 0 ? `${shareProblems.length} problem${shareProblems.length === 1 ? '' : 's'} with the workers' shares` : ''].filter(Boolean).join(', ')}.\n`
    )
    return verified ? EXIT_OK : EXIT_VERIFY_FAILED
  }
  io.out(
    (bad.length === 0
      ? `All ${results.length} output${results.length === 1 ? '' : 's'} verified`
      : `${bad.length} of ${results.length} outputs failed verification`) + `${completeness(verification)}.\n`
  )
  return bad.length === 0 ? EXIT_OK : EXIT_VERIFY_FAILED
}

/** "; 3 of 8 destination ranks are done, the last run was cancelled (…) …" */
function completeness(v: DestinationVerification): string {
  const done = v.outputs.length
  const parts: string[] = []
  if (v.destinationRanks !== undefined && done < v.destinationRanks)
    parts.push(`${done} of ${v.destinationRanks} destination ranks are done`)
  if (v.lastRun === 'cancelled' || v.lastRun === 'failed' || v.lastRun === 'running')
    parts.push(
      `the last run ${v.lastRun === 'running' ? 'did not finish (it was stopped or is still running)' : `was ${v.lastRun}`}` +
        (v.unfinished.length > 0 ? ` before writing ${listNames(v.unfinished)}` : '') +
        '; run the same transform again to resume'
    )
  return parts.length > 0 ? `; ${parts.join(', ')}` : ''
}
