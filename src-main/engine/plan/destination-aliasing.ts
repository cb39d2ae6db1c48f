import { realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, sep } from 'node:path'
import type { Problem, RankPlan } from './plan-types'

interface Protected {
  /** How the user knows it: the source folder or a source rank folder. */
  label: string
  real: string
  dev: number
  ino: number
}

/**
 * Shardscope never writes where it reads. Paths are compared as the file system resolves them — real paths for
 * symbolic links, device and inode for bind mounts and other aliases that real paths cannot see — so neither
 * `--dst` equal to `--src`, nor a destination inside the source, nor a destination `rank_N/` that links into a
 * source folder, nor an output that is (a hard link of) a source file gets past this check.
 */
export async function checkDestinationAliasing(
  sourceFolder: string,
  destinationFolder: string,
  ranks: readonly Pick<RankPlan, 'output' | 'sources'>[],
  problems: Problem[]
): Promise<void> {
  const guarded = await protectedFolders(sourceFolder, ranks)
  const files = new Map<string, string>()
  for (const rank of ranks)
    for (const s of rank.sources) files.set(`${s.identity.dev}:${s.identity.ino}`, s.realPath ?? s.path)
  const refuse = (message: string) =>
    problems.push({ severity: 'error', code: 'destination-aliases-source', message, file: destinationFolder })

  const root = await inside(destinationFolder, guarded)
  if (root) {
    refuse(
      root.same
        ? `The destination ${destinationFolder} is the ${root.label} (both are ${root.real}): Shardscope never writes where it reads; choose another destination.`
        : `The destination ${destinationFolder} lies inside the ${root.label} (${root.real}): Shardscope never writes where it reads; choose a destination outside the source.`
    )
    return
  }
  const seen = new Set<string>()
  for (const rank of ranks) {
    const output = join(destinationFolder, rank.output)
    const folder = dirname(output)
    if (!seen.has(folder)) {
      seen.add(folder)
      const hit = await inside(folder, guarded)
      if (hit)
        refuse(
          `The destination's ${basename(folder)}/ resolves to ${await resolved(folder)}, ${hit.same ? 'which is' : 'inside'} the ${hit.label}: writing ${rank.output} there would write into the source. Choose a destination without links into the source.`
        )
    }
    const info = await stat(output).catch(() => undefined)
    const source = info && files.get(`${info.dev}:${info.ino}`)
    if (source)
      refuse(
        `The output ${output} is the source file ${source} (the same file under two names): replacing it would destroy the source. Choose another destination.`
      )
  }
}

async function protectedFolders(
  sourceFolder: string,
  ranks: readonly Pick<RankPlan, 'sources'>[]
): Promise<Protected[]> {
  const folders = new Map<string, string>([[sourceFolder, 'source folder']])
  for (const rank of ranks)
    for (const s of rank.sources) {
      folders.set(dirname(s.path), `source rank folder ${dirname(s.path)}`)
      if (s.realPath) folders.set(dirname(s.realPath), `source rank folder ${dirname(s.path)}`)
    }
  const out: Protected[] = []
  for (const [path, label] of folders) {
    const real = await realpath(path).catch(() => undefined)
    const info = real && (await stat(real).catch(() => undefined))
    if (real && info)
      out.push({ label: label === 'source folder' ? `source folder ${sourceFolder}` : label, real, ...info })
  }
  return out
}

/** The guarded folder that `path` (existing or not) is, or lies in, by real path or by device and inode. */
async function inside(
  path: string,
  guarded: Protected[]
): Promise<(Protected & { same: boolean }) | undefined> {
  const real = await resolved(path)
  const same = guarded.find((g) => real === g.real)
  if (same) return { ...same, same: true }
  const within = guarded
    .filter((g) => real.startsWith(g.real.endsWith(sep) ? g.real : g.real + sep))
    .sort((a, b) => b.real.length - a.real.length)[0]
  if (within) return { ...within, same: false }
  // Bind mounts and the like: the same directory under an unrelated path.
  for (let current = real, depth = 0; ; depth++) {
    const info = await stat(current).catch(() => undefined)
    const hit = info && guarded.find((g) => g.dev === info.dev && g.ino === info.ino)
    if (hit) return { ...hit, same: depth === 0 && current === real }
    const parent = dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/** The real path of `path`, resolving the part that exists and appending the rest. */
async function resolved(path: string): Promise<string> {
  const rest: string[] = []
  let current = path
  for (;;) {
    const real = await realpath(current).catch(() => undefined)
    if (real) return rest.length === 0 ? real : join(real, ...rest.reverse())
    const parent = dirname(current)
    if (parent === current) return path
    rest.push(basename(current))
    current = parent
  }
}
