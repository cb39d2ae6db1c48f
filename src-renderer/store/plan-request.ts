import type { PlanRequest, RunOptions } from '../../src-main/api/contract'

export type CipherChoice = 'AES-GCM' | 'AES-CBC' | 'SM4-CBC'

/** The planner form as typed: text stays text until it is checked, so a half-typed field is not lost. */
export interface PlanRequestDraft {
  sourceFolder?: string
  sourceStrategy?: string
  destinationStrategy?: string
  /** Merge into one full checkpoint instead of a destination strategy. */
  merge: boolean
  destinationFolder?: string
  format: 'ckpt' | 'safetensors'
  dtype?: string
  exclude?: string
  /** Output file-name prefix; empty means the CLI's default, `checkpoint_`. */
  prefix?: string
  /** Destination ranks, e.g. "0-3, 6"; empty means all. */
  ranks?: string
  crc: boolean
  /** Check every source's CRC-32 trailer, also of files read only in part (the CLI's --verify-crc). */
  verifyCrc: boolean
  /** Destination ranks written at once; empty means one per core. */
  jobs?: string
  fsync: boolean
  /** Record each output's SHA-256 besides its XXH3-128 (the CLI's --sha256): against deliberate tampering. */
  sha256: boolean
  /** Hex digits, or the path of a key file (decKeyKind). */
  decKey?: string
  decKeyKind: 'file' | 'hex'
  decMode?: CipherChoice
  /** Set only by the user's confirmation that a previous conversion in the destination may be replaced. */
  overwrite: boolean
}

export type DraftField = keyof PlanRequestDraft

export const EMPTY_DRAFT: PlanRequestDraft = {
  merge: false,
  format: 'ckpt',
  crc: false,
  verifyCrc: false,
  fsync: false,
  sha256: false,
  decKeyKind: 'file',
  overwrite: false
}

/** Fields that only change how a plan runs, not what it is: editing them keeps the preview. */
export const RUN_FIELDS: readonly DraftField[] = ['jobs', 'fsync', 'sha256']

const KEY_BYTES = [16, 24, 32]

/** `<source>-converted` next to the source folder unless the user picks another. */
export function defaultDestination(sourceFolder: string): string {
  return `${sourceFolder.replace(/[\\/]+$/, '')}-converted`
}

/** "0-3, 6" → [0, 1, 2, 3, 6]; a sentence when it is not a list of ranks. */
export function parseRanks(text: string): number[] | string {
  const ranks: number[] = []
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(part)
    if (!range) return `"${part}" is not a rank or a range of ranks (e.g. 0-3, 6).`
    const from = Number(range[1])
    const to = range[2] === undefined ? from : Number(range[2])
    if (to < from) return `The range ${part} runs backwards; write it as ${to}-${from}.`
    if (to - from > 65_535) return `The range ${part} is longer than any cluster.`
    for (let r = from; r <= to; r++) ranks.push(r)
  }
  const repeated = ranks.find((r, i) => ranks.indexOf(r) !== i)
  if (repeated !== undefined) return `Rank ${repeated} is given more than once.`
  return ranks
}

const isAbsolute = (path: string) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)

/**
 * The checks `shardscope transform` makes on the same options, field by field, so the form can say what is
 * wrong before anything is sent (main checks again: it trusts no renderer).
 */
export function checkDraft(draft: PlanRequestDraft): Partial<Record<DraftField, string>> {
  const problems: Partial<Record<DraftField, string>> = {}
  if (!draft.sourceFolder) problems.sourceFolder = 'Choose the source checkpoint folder.'
  for (const field of [
    'sourceFolder',
    'sourceStrategy',
    'destinationStrategy',
    'destinationFolder'
  ] as const) {
    const path = draft[field]
    if (path && !isAbsolute(path)) problems[field] = 'Give the full path (it starts with /).'
  }
  if (draft.prefix && /[/\\]/.test(draft.prefix))
    problems.prefix = 'The prefix is part of a file name: no slashes.'
  if (draft.crc && draft.format === 'safetensors')
    problems.crc = 'The CRC trailer belongs to .ckpt outputs; safetensors outputs do not have one.'
  if (draft.ranks?.trim()) {
    const ranks = parseRanks(draft.ranks)
    if (typeof ranks === 'string') problems.ranks = ranks
  }
  if (draft.jobs?.trim()) {
    const jobs = Number(draft.jobs)
    if (!/^\d+$/.test(draft.jobs.trim()) || jobs < 1 || jobs > 256)
      problems.jobs = 'Parallel ranks must be a whole number from 1 to 256.'
  }
  if (draft.exclude) {
    try {
      new RegExp(draft.exclude)
    } catch (err) {
      problems.exclude = `Not a valid regular expression: ${(err as Error).message}.`
    }
  }
  if (draft.decKey) {
    if (draft.decKeyKind === 'file') {
      if (!isAbsolute(draft.decKey)) problems.decKey = 'Give the key file’s full path.'
    } else {
      const digits = draft.decKey.trim().replace(/^0x/i, '')
      if (!/^[0-9a-f]*$/i.test(digits)) problems.decKey = 'The key must be hexadecimal (0-9, a-f).'
      else if (!KEY_BYTES.includes(digits.length / 2))
        problems.decKey = `The key has ${digits.length} hex digits; an AES or SM4 key has 32, 48 or 64.`
    }
  }
  return problems
}

/** The request main gets for a checked draft. */
export function planRequestOf(draft: PlanRequestDraft): PlanRequest {
  const source = draft.sourceFolder!
  const ranks = draft.ranks?.trim() ? (parseRanks(draft.ranks) as number[]) : undefined
  return {
    source: { folder: source, ...(draft.sourceStrategy ? { strategy: draft.sourceStrategy } : {}) },
    destination: {
      folder: draft.destinationFolder || defaultDestination(source),
      ...(!draft.merge && draft.destinationStrategy ? { strategy: draft.destinationStrategy } : {})
    },
    options: {
      format: draft.format,
      ...(draft.dtype ? { dtype: draft.dtype } : {}),
      ...(draft.exclude ? { exclude: draft.exclude } : {}),
      ...(draft.crc ? { crc: true } : {}),
      ...(draft.verifyCrc ? { verifyCrc: true } : {}),
      ...(draft.prefix ? { prefix: draft.prefix } : {}),
      ...(ranks ? { ranks } : {}),
      ...(draft.overwrite ? { overwrite: true } : {}),
      ...(draft.decKey
        ? { decryption: { key: keyArgument(draft), ...(draft.decMode ? { mode: draft.decMode } : {}) } }
        : {})
    }
  }
}

export function runOptionsOf(draft: PlanRequestDraft): RunOptions {
  return {
    ...(draft.jobs?.trim() ? { jobs: Number(draft.jobs) } : {}),
    ...(draft.fsync ? { fsync: true } : {}),
    ...(draft.sha256 ? { sha256: true } : {})
  }
}

function keyArgument(draft: PlanRequestDraft): string {
  return draft.decKeyKind === 'file' ? `@${draft.decKey}` : draft.decKey!.trim()
}

/** The `shardscope transform` arguments that do exactly what the planner is about to do. */
export function transformArgs(draft: PlanRequestDraft): string[] {
  const request = planRequestOf(draft)
  const { options } = request
  const args = ['transform', '--src', request.source.folder, '--dst', request.destination.folder]
  if (request.source.strategy) args.push('--src-strategy', request.source.strategy)
  if (request.destination.strategy) args.push('--dst-strategy', request.destination.strategy)
  if (options.prefix) args.push('--prefix', options.prefix)
  for (const rank of options.ranks ?? []) args.push('--rank', String(rank))
  if (options.format !== 'ckpt') args.push('--format', options.format)
  if (options.dtype) args.push('--dtype', options.dtype)
  if (options.exclude) args.push('--exclude', options.exclude)
  if (options.crc) args.push('--crc')
  if (options.verifyCrc) args.push('--verify-crc')
  if (options.overwrite) args.push('--overwrite')
  const run = runOptionsOf(draft)
  if (run.fsync) args.push('--fsync')
  if (run.sha256) args.push('--sha256')
  if (run.jobs !== undefined) args.push('--jobs', String(run.jobs))
  if (options.decryption) {
    args.push('--dec-key', options.decryption.key)
    if (options.decryption.mode) args.push('--dec-mode', options.decryption.mode)
  }
  return args
}

/** One argument as a POSIX shell reads it back unchanged. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

export function shellCommand(args: readonly string[]): string {
  return ['shardscope', ...args].map(shellQuote).join(' ')
}
