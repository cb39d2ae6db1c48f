import { ShardscopeError } from '../../engine/errors'
import { verifyDestination, type DestinationVerification } from '../../engine/exec/verify-outputs'
import { listNames } from '../../engine/plan/param-catalog'
import { parseCommandArgs } from '../args'
import { EXIT_OK, EXIT_VERIFY_FAILED } from '../exit-codes'
import type { CliIO } from '../io'
import { formatBytes } from '../table'

export const VERIFY_USAGE = `Usage: shardscope verify <dst> [--json]

Re-reads every output listed in <dst>/shardscope-manifest.json and checks its size and every checksum recorded
(XXH3-128, and SHA-256 where the run or a push recorded it), and says how complete the conversion is (a
cancelled run leaves some destination ranks to do).
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
  const verification = await verifyDestination(folder, { signal: io.signal })
  const results = verification.outputs
  const bad = results.filter((r) => r.status !== 'ok')
  // Nothing to check is not "all verified": a cancelled or empty run must not pass a `transform && verify`.
  const verified = results.length > 0 && bad.length === 0
  if (values.json) {
    io.out(JSON.stringify({ verified, ...verification }) + '\n')
    return verified ? EXIT_OK : EXIT_VERIFY_FAILED
  }
  for (const r of results) {
    const detail =
      r.status === 'size-mismatch' ? ` (${formatBytes(r.size)}, expected ${formatBytes(r.expectedSize)})` : ''
    io.out(`${WORDS[r.status].padEnd(17)} ${r.output}${detail}\n`)
  }
  if (results.length === 0) {
    io.err(
      `shardscope verify: nothing to verify: the manifest of ${folder} lists no finished output${completeness(verification)}.\n`
    )
    return EXIT_VERIFY_FAILED
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
