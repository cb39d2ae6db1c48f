import type { Dirent } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { identityOf, type FileIdentity } from '../io/file-identity'
import { ioError } from '../io/io-error'
import { mapLimit } from '../util/map-limit'
import { firstRanks, formatRanges, gapsOf, rangesOf } from './rank-ranges'

export type CheckpointFormat = 'ckpt' | 'safetensors'

/** The checkpoint file MindSpore would load for one rank, and what else was in its folder. */
export interface RankFile {
  rank: number
  /** Absolute path of the chosen file, as reached through the folder (symbolic links not resolved). */
  path: string
  /** The file's real path when a symbolic link (of the rank folder or the file itself) leads elsewhere. */
  realPath?: string
  /** File name inside `rank_<r>/`. */
  file: string
  format: CheckpointFormat
  size: number
  /** Size, times, inode and device when the folder was scanned: a later difference means the file changed. */
  identity: FileIdentity
  /** Every checkpoint file in the rank folder, chosen one included, in name order. */
  candidates: string[]
}

/** A distributed checkpoint: one `rank_<r>/` folder per rank under `root`. */
export interface CheckpointSet {
  root: string
  ranks: RankFile[]
  /**
   * Ranks between 0 and the highest rank that have no usable file, ascending: at most MISSING_LIST_LIMIT of them
   * (a folder holding rank_0/ and rank_99999999/ must not cost a list of a hundred million numbers).
   */
  missingRanks: number[]
  /** All missing ranks as inclusive ranges [first, last], ascending. */
  missingRanges: [number, number][]
  format: CheckpointFormat | 'mixed'
  totalBytes: number
  /** Plain sentences: errors (gaps, empty rank folders, mixed formats) stop a conversion, warnings do not. */
  problems: FolderProblem[]
}

export interface FolderProblem {
  severity: 'error' | 'warning'
  message: string
}

export const MISSING_LIST_LIMIT = 4096

const SCAN_CONCURRENCY = 32

const RANK_DIR = /^rank_(\d+)$/
// MindSpore's rank ids are C ints; larger numbers are not ranks (and would lose precision as JS numbers).
const MAX_RANK_ID = 2 ** 31 - 1

/**
 * Reads a checkpoint folder the way MindSpore's `transform_checkpoints` does: only `rank_<digits>/` folders
 * count; in each, the lexicographically last `.ckpt` (or the `.safetensors` with the largest trailing
 * epoch/step numbers) is the rank's file. Symbolic links to rank folders and rank files are followed, as
 * MindSpore's glob and isdir do (clusters link rank folders from several mounts); the real path is reported.
 * Only directory listings and file metadata are read.
 */
export async function scanCheckpointFolder(
  root: string,
  onlyRanks?: readonly number[]
): Promise<CheckpointSet> {
  let entries: Dirent[]
  try {
    entries = await readdir(root, { withFileTypes: true })
  } catch (err) {
    throw ioError(err, root, 'read checkpoint folder')
  }
  const problems: FolderProblem[] = []
  const wanted = onlyRanks ? new Set(onlyRanks) : undefined
  const candidates = entries
    .filter((e) => RANK_DIR.test(e.name))
    .map((e) => ({ entry: e, name: e.name, rank: Number(RANK_DIR.exec(e.name)![1]) }))
    .filter((d) => {
      if (d.rank <= MAX_RANK_ID) return true
      problems.push({
        severity: 'warning',
        message: `${d.name}/ is ignored: rank ids go up to ${MAX_RANK_ID}.`
      })
      return false
    })
    .filter((d) => !wanted || wanted.has(d.rank))
  const rankDirs: { name: string; rank: number }[] = []
  for (const d of candidates) if (await isDirectoryEntry(root, d.entry)) rankDirs.push(d)
  rankDirs.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : 1))
  if (rankDirs.length === 0) {
    const only = onlyRanks ? ` for rank ${onlyRanks.join(', ')}` : ''
    throw new ShardscopeError(
      'BAD_INPUT',
      `${root} holds no rank_N folders${only}; a distributed checkpoint folder has one rank_<id>/ subfolder per rank.`,
      { file: root }
    )
  }
  const seen = new Set<number>()
  const unique = rankDirs.filter((dir) => {
    if (!seen.has(dir.rank)) return seen.add(dir.rank)
    problems.push({
      severity: 'warning',
      message: `${dir.name}/ names rank ${dir.rank} again (leading zeros); it is ignored.`
    })
    return false
  })
  // Thousands of rank folders cost three metadata calls each: overlapped, not one round trip after another.
  // Each folder's findings are kept apart so that problems and the error thrown follow rank order as before.
  const chosen = await mapLimit(unique, SCAN_CONCURRENCY, async (dir) => {
    const found: FolderProblem[] = []
    try {
      return { file: await chooseRankFile(join(root, dir.name), dir.rank, found), found }
    } catch (error) {
      return { error, found }
    }
  })
  const ranks: RankFile[] = []
  for (const result of chosen) {
    problems.push(...result.found)
    if ('error' in result) throw result.error
    if (result.file) ranks.push(result.file)
  }
  const present = new Set(ranks.map((r) => r.rank))
  const missingRanges = onlyRanks
    ? rangesOf(onlyRanks.filter((r) => !present.has(r)))
    : gapsOf(
        ranks.map((r) => r.rank),
        rankDirs[rankDirs.length - 1]!.rank
      )
  if (missingRanges.length > 0) {
    const count = missingRanges.reduce((n, [a, b]) => n + b - a + 1, 0)
    problems.push({
      severity: 'error',
      message: `Missing rank${count > 1 ? 's' : ''}: ${formatRanges(missingRanges)}.`
    })
  }
  const formats = new Set(ranks.map((r) => r.format))
  if (formats.size > 1) {
    const list = (f: CheckpointFormat) =>
      formatRanges(rangesOf(ranks.filter((r) => r.format === f).map((r) => r.rank)))
    problems.push({
      severity: 'error',
      message: `The folder mixes formats: .ckpt for rank ${list('ckpt')} and .safetensors for rank ${list('safetensors')}.`
    })
  }
  return {
    root,
    ranks,
    missingRanks: firstRanks(missingRanges, MISSING_LIST_LIMIT),
    missingRanges,
    format: formats.size > 1 ? 'mixed' : (ranks[0]?.format ?? 'ckpt'),
    totalBytes: ranks.reduce((sum, r) => sum + r.size, 0),
    problems
  }
}

/** A directory, or a symbolic link to one (a dangling link is not). */
async function isDirectoryEntry(parent: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true
  if (!entry.isSymbolicLink()) return false
  return stat(join(parent, entry.name)).then(
    (info) => info.isDirectory(),
    () => false
  )
}

async function chooseRankFile(
  dir: string,
  rank: number,
  problems: FolderProblem[]
): Promise<RankFile | undefined> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    throw ioError(err, dir, 'read rank folder')
  }
  const names: string[] = []
  for (const e of entries) {
    if (!/\.(ckpt|safetensors)$/.test(e.name)) continue
    if (e.isFile()) names.push(e.name)
    else if (
      e.isSymbolicLink() &&
      (await stat(join(dir, e.name)).then(
        (i) => i.isFile(),
        () => false
      ))
    )
      names.push(e.name)
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
  let identity: FileIdentity
  let real: string
  try {
    identity = identityOf(await stat(path))
    real = await realpath(path)
  } catch (err) {
    throw ioError(err, path, 'read')
  }
  return {
    rank,
    path,
    ...(real !== path ? { realPath: real } : {}),
    file,
    format,
    size: identity.size,
    identity,
    candidates
  }
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
