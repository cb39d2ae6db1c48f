import type { JobProgress } from '../../../src-main/api/contract'
import { formatBytes, plural } from '../../app/format'

type RankProgress = JobProgress['ranks'][number]

/** What a conversion has really produced: outputs complete on disk (kept), and bytes still being written. */
export interface KeptOutputs {
  outputs: number
  complete: number
  /** Of the complete ones, those a previous run had written and this one verified. */
  alreadyDone: number
  totalBytes: number
  keptBytes: number
  /** Written into outputs that are not complete: lost if the run stops now. */
  inFlightBytes: number
  redo: { outputs: number; bytes: number }
}

const COMPLETE = new Set(['done', 'skipped'])

export function keptOutputs(ranks: readonly RankProgress[]): KeptOutputs {
  const complete = ranks.filter((r) => COMPLETE.has(r.state))
  const open = ranks.filter((r) => !COMPLETE.has(r.state))
  const sum = (list: readonly RankProgress[], key: 'bytesTotal' | 'bytesDone') =>
    list.reduce((s, r) => s + r[key], 0)
  return {
    outputs: ranks.length,
    complete: complete.length,
    alreadyDone: complete.filter((r) => r.state === 'skipped').length,
    totalBytes: sum(ranks, 'bytesTotal'),
    keptBytes: sum(complete, 'bytesTotal'),
    inFlightBytes: sum(open, 'bytesDone'),
    redo: { outputs: open.length, bytes: sum(open, 'bytesTotal') }
  }
}

/** "3 of 8 outputs complete and kept (1.2 GiB)". */
export function keptSentence(kept: KeptOutputs): string {
  const count = kept.complete === 0 ? 'No output is' : `${kept.complete} of ${plural(kept.outputs, 'output')}`
  const verb =
    kept.complete === 0
      ? 'complete, so nothing was kept'
      : `${kept.complete === 1 ? 'is' : 'are'} complete and kept (${formatBytes(kept.keptBytes)})`
  return kept.complete === 0 ? `${count} ${verb}.` : `${count} ${verb}.`
}

/** What Resume will do, from what is kept. */
export function resumeSentence(kept: KeptOutputs): string {
  if (kept.redo.outputs === 0)
    return 'Resume has nothing left to write; it checks the kept outputs against the manifest.'
  const write = `Resume writes ${kept.complete > 0 ? 'the other ' : ''}${plural(kept.redo.outputs, 'output')} (${formatBytes(kept.redo.bytes)})`
  const check =
    kept.complete > 0
      ? ` and checks the ${plural(kept.complete, 'kept output')} against the manifest instead of rewriting ${kept.complete === 1 ? 'it' : 'them'}`
      : ''
  return `${write}${check}.`
}
