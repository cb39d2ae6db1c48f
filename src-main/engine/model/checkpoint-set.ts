import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { ioError } from '../io/io-error'

export type CheckpointFormat = 'ckpt' | 'safetensors'

/** The checkpoint file MindSpore would load for one rank, and what else was in its folder. */
export interface RankFile {
  rank: number
  /** Absolute path of the chosen file. */
  path: string
  /** File name inside `rank_<r>/`. */
  file: string
  format: CheckpointFormat
  size: number
  /** Every checkpoint file in the rank folder, chosen one included, in name order. */
  candidates: string[]
}

/** A distributed checkpoint: one `rank_<r>/` folder per rank under `root`. */
export interface CheckpointSet {
  root: string
  ranks: RankFile[]
  /** Ranks between 0 and the highest rank that have no usable file. */
  missingRanks: number[]
  format: CheckpointFormat | 'mixed'
  totalBytes: number
  /** Plain sentences: errors (gaps, empty rank folders, mixed formats) stop a conversion, warnings do not. */
  problems: FolderProblem[]
}

export interface FolderProblem {
  severity: 'error' | 'warning'
  message: string
}

const RANK_DIR = /^rank_(\d+)$/

/**
 * Reads a checkpoint folder the way MindSpore's `transform_checkpoints` does: only `rank_<digits>/` folders
 * count; in each, the lexicographically last `.ckpt` (or the `.safetensors` with the largest trailing
 * epoch/step numbers) is the rank's file. Only directory listings and sizes are read.
 */
export async function scanCheckpointFolder(
  root: string,
  onlyRanks?: readonly number[]
): Promise<CheckpointSet> {
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(root, { withFileTypes: true })
  } catch (err) {
    throw ioError(err, root, 'read checkpoint folder')
  }
  const rankDirs = entries
    .filter((e) => e.isDirectory() && RANK_DIR.test(e.name))
    .map((e) => ({ name: e.name, rank: Number(RANK_DIR.exec(e.name)![1]) }))
    .filter((d) => !onlyRanks || onlyRanks.includes(d.rank))
    .sort((a, b) => a.rank - b.rank)
  if (rankDirs.length === 0) {
    const wanted = onlyRanks ? ` for rank ${onlyRanks.join(', ')}` : ''
    throw new ShardscopeError(
      'BAD_INPUT',
      `${root} holds no rank_N folders${wanted}; a distributed checkpoint folder has one rank_<id>/ subfolder per rank.`,
      { file: root }
    )
  }
  const problems: FolderProblem[] = []
  const ranks: RankFile[] = []
  const seen = new Set<number>()
  for (const dir of rankDirs) {
    if (seen.has(dir.rank)) {
      problems.push({
        severity: 'warning',
        message: `${dir.name}/ names rank ${dir.rank} again (leading zeros); it is ignored.`
      })
      continue
    }
    seen.add(dir.rank)
    const file = await chooseRankFile(join(root, dir.name), dir.rank, problems)
    if (file) ranks.push(file)
  }
  const present = new Set(ranks.map((r) => r.rank))
  const expected = onlyRanks ? [...onlyRanks] : range(Math.max(...rankDirs.map((d) => d.rank)) + 1)
  const missingRanks = expected.filter((r) => !present.has(r)).sort((a, b) => a - b)
  if (missingRanks.length > 0)
    problems.push({
      severity: 'error',
      message: `Missing rank${missingRanks.length > 1 ? 's' : ''}: ${missingRanks.join(', ')}.`
    })
  const formats = new Set(ranks.map((r) => r.format))
  if (formats.size > 1) {
    const list = (f: CheckpointFormat) =>
      ranks
        .filter((r) => r.format === f)
        .map((r) => r.rank)
        .join(', ')
    problems.push({
      severity: 'error',
      message: `The folder mixes formats: .ckpt for rank ${list('ckpt')} and .safetensors for rank ${list('safetensors')}.`
    })
  }
  return {
    root,
    ranks,
    missingRanks,
    format: formats.size > 1 ? 'mixed' : (ranks[0]?.format ?? 'ckpt'),
    totalBytes: ranks.reduce((sum, r) => sum + r.size, 0),
    problems
  }
}

async function chooseRankFile(
  dir: string,
  rank: number,
  problems: FolderProblem[]
): Promise<RankFile | undefined> {
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)
  } catch (err) {
    throw ioError(err, dir, 'read rank folder')
  }
  const ckpt = names.filter((n) => n.endsWith('.ckpt')).sort(byCodePoint)
  const safetensors = names.filter((n) => n.endsWith('.safetensors')).sort(byCodePoint)
  const folder = `rank_${rank}/`
  if (ckpt.length === 0 && safetensors.length === 0) {
    problems.push({ severity: 'error', message: `${folder} holds no .ckpt or .safetensors file.` })
    return undefined
  }
  if (ckpt.length > 0 && safetensors.length > 0) {
    problems.push({
      severity: 'warning',
      message: `${folder} holds both .ckpt and .safetensors files; the .ckpt file is used.`
    })
  }
  const format: CheckpointFormat = ckpt.length > 0 ? 'ckpt' : 'safetensors'
  const candidates = format === 'ckpt' ? ckpt : safetensors
  const file = format === 'ckpt' ? candidates[candidates.length - 1]! : latestSafetensors(candidates)
  if (candidates.length > 1) {
    const rule =
      format === 'ckpt'
        ? 'the last in name order, as MindSpore picks it (note that "-10_" sorts before "-2_")'
        : 'the one with the largest epoch/step numbers, as MindSpore picks it'
    problems.push({
      severity: 'warning',
      message: `${folder} holds ${candidates.length} ${format} files; using ${file}, ${rule}.`
    })
  }
  const path = join(dir, file)
  let size: number
  try {
    size = (await stat(path)).size
  } catch (err) {
    throw ioError(err, path, 'read')
  }
  return { rank, path, file, format, size, candidates }
}

/** MindSpore keeps the safetensors file whose last two integers in the name are largest (epoch, step). */
function latestSafetensors(names: string[]): string {
  const key = (name: string) => {
    const numbers = (name.match(/\d+/g) ?? []).map(Number)
    return [numbers[numbers.length - 2] ?? -1, numbers[numbers.length - 1] ?? -1] as const
  }
  return names.reduce((best, name) => {
    const [a, b] = key(name)
    const [x, y] = key(best)
    return a > x || (a === x && b > y) ? name : best
  })
}

/** Python's default string order (code points), which `sorted()` in MindSpore uses. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
