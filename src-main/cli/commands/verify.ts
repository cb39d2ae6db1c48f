import { ShardscopeError } from '../../engine/errors'
import { verifyOutputs } from '../../engine/exec/verify-outputs'
import { parseCommandArgs } from '../args'
import type { CliIO } from '../io'
import { formatBytes } from '../table'

export const VERIFY_USAGE = `Usage: shardscope verify <dst> [--json]

Re-reads every output listed in <dst>/shardscope-manifest.json and checks its size and SHA-256.
Exit codes: 0 all verified, 1 a file is missing or differs, 2 no manifest.
`

const WORDS = {
  ok: 'ok',
  missing: 'MISSING',
  'size-mismatch': 'WRONG SIZE',
  'checksum-mismatch': 'CHECKSUM MISMATCH'
} as const

export async function verifyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    io.out(VERIFY_USAGE)
    return 0
  }
  if (positionals.length !== 1)
    throw new ShardscopeError(
      'BAD_INPUT',
      `expected one destination folder, got ${positionals.length} arguments.`
    )
  const results = await verifyOutputs(positionals[0]!, { signal: io.signal })
  const bad = results.filter((r) => r.status !== 'ok')
  if (values.json) io.out(JSON.stringify({ verified: bad.length === 0, outputs: results }) + '\n')
  else {
    for (const r of results) {
      const detail =
        r.status === 'size-mismatch'
          ? ` (${formatBytes(r.size)}, expected ${formatBytes(r.expectedSize)})`
          : ''
      io.out(`${WORDS[r.status].padEnd(17)} ${r.output}${detail}\n`)
    }
    io.out(
      bad.length === 0
        ? `All ${results.length} outputs verified.\n`
        : `${bad.length} of ${results.length} outputs failed verification.\n`
    )
  }
  return bad.length === 0 ? 0 : 1
}
