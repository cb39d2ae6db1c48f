import { listNames } from './param-catalog'
import type { Problem } from './plan-types'
import type { IndexedRank } from './source-index'
import type { CopyReason } from './source-selection'
import { whereOf, type StrategySide } from '../../src-main/engine/plan/strategy-side'

export function reportMissingSources(
  missing: Map<number, number[]>,
  present: number[],
  folder: string,
  problems: Problem[]
): void {
  for (const [rank, destinations] of [...missing].sort((a, b) => a[0] - b[0])) {
    const why = present.includes(rank)
      ? `its file in ${folder}/rank_${rank}/ could not be read`
      : `${folder} has no rank_${rank}/ checkpoint`
    problems.push({
      severity: 'error',
      message: `Source rank ${rank} is needed for destination rank${destinations.length > 1 ? 's' : ''} ${destinations.join(', ')}, but ${why}.`,
      rank
    })
  }
}

export function reportCopies(
  copied: Map<CopyReason, Set<string>>,
  src: StrategySide,
  dst: StrategySide,
  problems: Problem[]
): void {
  const words: Record<CopyReason, (names: string[]) => Problem> = {
    'not-in-any-strategy': (names) => ({
      severity: 'note',
      message: `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} in no strategy, so ${names.length === 1 ? 'it is' : 'they are'} copied whole from the matching source rank, as MindSpore does.`
    }),
    'not-in-source-strategy': (names) => ({
      severity: 'warning',
      message: `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} missing from the ${whereOf(src)} but listed in the ${whereOf(dst)}; like MindSpore, Shardscope copies the stored tensor whole without slicing it, which is right only if the destination does not shard it.`
    }),
    'not-in-destination-strategy': (names) => ({
      severity: 'warning',
      message: `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} in the ${whereOf(src)} but not in the ${whereOf(dst)}; like MindSpore, Shardscope copies the matching source rank's stored slice unchanged. Exclude ${names.length === 1 ? 'it' : 'them'} with --exclude if the destination model does not use ${names.length === 1 ? 'it' : 'them'}.`
    })
  }
  for (const [reason, names] of copied) problems.push(words[reason]([...names]))
}

/** Destination layouts with nothing to fill them: the output will lack these parameters. */
export function reportUnplaced(
  dst: StrategySide,
  indexed: Map<number, IndexedRank>,
  problems: Problem[],
  excluded: ReadonlySet<string> = new Set()
): void {
  if (!dst.set || indexed.size === 0) return
  const held = new Set([...indexed.values()].flatMap((r) => [...r.tensors.keys()]))
  const absent = [...dst.byName.keys()].filter((name) => !held.has(name) && !excluded.has(name))
  if (absent.length === 0) return
  problems.push({
    severity: 'warning',
    message: `The ${whereOf(dst)} lists ${absent.length} parameter${absent.length === 1 ? '' : 's'} the source does not hold (${listNames(absent)}); the output will not contain ${absent.length === 1 ? 'it' : 'them'}.`
  })
}
