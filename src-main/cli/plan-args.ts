import { ShardscopeError } from '../engine/errors'
import { parseCastTarget } from '../engine/plan/output-dtype'
import type { PlanInput } from '../engine/plan/plan-transform'
import type { CrcCheck, Problem, TransformPlan } from '../engine/plan/plan-types'
import { escapeForTerminal } from '../engine/util/terminal-text'
import { requireInteger } from './args'
import type { CliIO } from './io'
import { DECRYPT_OPTIONS, decryptionOptions, readStrategies, STRATEGY_OPTIONS } from './strategy-args'

/** The options `transform` and `plan` share (same inputs, same plan). */
export const PLAN_OPTIONS = {
  src: { type: 'string' },
  dst: { type: 'string' },
  ...STRATEGY_OPTIONS,
  prefix: { type: 'string' },
  rank: { type: 'string', multiple: true },
  format: { type: 'string' },
  dtype: { type: 'string' },
  exclude: { type: 'string' },
  crc: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  'verify-crc': { type: 'boolean' },
  json: { type: 'boolean' },
  ...DECRYPT_OPTIONS,
  help: { type: 'boolean', short: 'h' }
} as const

type PlanValues = {
  src?: string
  dst?: string
  'src-strategy'?: string
  'dst-strategy'?: string
  prefix?: string
  rank?: string[]
  format?: string
  dtype?: string
  exclude?: string
  crc?: boolean
  overwrite?: boolean
  'verify-crc'?: boolean
  'dec-key'?: string
  'dec-mode'?: string
}

export async function planInputFrom(values: PlanValues, requireDestination: boolean): Promise<PlanInput> {
  if (values.src === undefined)
    throw new ShardscopeError('BAD_INPUT', '--src <folder of rank_N/ checkpoints> is required.')
  if (requireDestination && values.dst === undefined)
    throw new ShardscopeError('BAD_INPUT', '--dst <output folder> is required.')
  const format = values.format ?? 'ckpt'
  if (format !== 'ckpt' && format !== 'safetensors') {
    throw new ShardscopeError('BAD_INPUT', `--format must be ckpt or safetensors, got "${format}".`)
  }
  const strategies = await readStrategies(values)
  const input: PlanInput = {
    sourceFolder: values.src,
    destinationFolder: values.dst ?? '(not written)',
    checkDestination: values.dst !== undefined,
    overwrite: values.overwrite === true,
    verifyCrc: values['verify-crc'] === true,
    options: {
      format,
      crc: values.crc === true,
      prefix: values.prefix ?? 'checkpoint_',
      ...(values.dtype !== undefined ? { dtype: parseCastTarget(values.dtype) } : {}),
      ...(values.exclude !== undefined ? { exclude: values.exclude } : {})
    },
    open: decryptionOptions(values)
  }
  if (values.crc && format === 'safetensors') {
    throw new ShardscopeError(
      'BAD_INPUT',
      '--crc adds the .ckpt CRC trailer; safetensors outputs do not have one.'
    )
  }
  if (values.prefix !== undefined && /[/\\]/.test(values.prefix)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `--prefix must be a file-name prefix without slashes, got "${values.prefix}".`
    )
  }
  if (strategies.source) input.sourceStrategy = strategies.source
  if (strategies.destination) input.destinationStrategy = strategies.destination
  if (values.rank) input.ranks = values.rank.map((r) => requireInteger('--rank', r))
  return input
}

/** One line on how the plan's sources get their CRC-32 checked (spec §1.9, §2.4). */
export function describeCrcChecks(plan: TransformPlan): string | undefined {
  const files = new Map<string, CrcCheck>()
  for (const rank of plan.ranks)
    for (const s of rank.sources) {
      const before = files.get(s.path)
      // A file one rank reads whole and another only partly still gets checked once.
      if (!before || CRC_RANK[s.crc] > CRC_RANK[before]) files.set(s.path, s.crc)
    }
  const count = (c: CrcCheck) => [...files.values()].filter((x) => x === c).length
  const checked = count('during-run') + count('requested')
  const unchecked = count('not-checked')
  if (checked === 0 && unchecked === 0) return undefined
  const parts = [
    `${checked} of ${files.size} source file${files.size === 1 ? '' : 's'} get their CRC-32 checked` +
      (count('during-run') > 0 ? ` (${count('during-run')} because the run reads them whole anyway)` : '')
  ]
  if (unchecked > 0)
    parts.push(
      `${unchecked} carr${unchecked === 1 ? 'ies' : 'y'} a CRC that is checked only with --verify-crc`
    )
  return `CRC: ${parts.join('; ')}.`
}

const CRC_RANK: Record<CrcCheck, number> = { none: 0, 'not-checked': 1, requested: 2, 'during-run': 3 }

/** Writes warnings and notes to stderr; returns the errors (all of them). */
export function printProblems(io: CliIO, problems: Problem[]): Problem[] {
  const label = { error: 'error', warning: 'warning', note: 'note' } as const
  // Messages quote names and paths from the files; a hostile name must not act on the terminal.
  for (const p of problems.filter((x) => x.severity !== 'error'))
    io.err(`${label[p.severity]}: ${escapeForTerminal(p.message)}\n`)
  const errors = problems.filter((p) => p.severity === 'error')
  for (const p of errors) io.err(`error: ${escapeForTerminal(p.message)}\n`)
  return errors
}
