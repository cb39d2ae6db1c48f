import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isShardscopeError } from '../errors'
import { parseTempName, TEMP_SUFFIX } from '../io/byte-sink'
import { isNfsPlaceholder } from '../io/nfs-placeholder'
import { sameConversion } from '../plan/conversion-identity'
import { listNames } from '../plan/param-catalog'
import type { DestinationState, Problem, TransformPlan } from '../plan/plan-types'
import { lockHolder, LOCK_NAME } from './destination-lock'
import type { DestinationScope } from './destination-scope'
import { MANIFEST_NAME, readManifest, type Manifest } from './manifest'
import { isBookkeeping, parseWorkerFile } from './worker-files'

export interface DestinationInspection {
  state: DestinationState
  problems: Problem[]
  manifest?: Manifest
  /** Temporary files of dead runs and unvouched copies of this conversion's outputs: removed under the lock. */
  leftovers: string[]
}

const RANK_DIR = /^rank_(\d+)$/

/**
 * What a destination may hold (README, "Destination rules"): nothing, or Shardscope's own files of this same
 * conversion (then the run resumes), or — only with `overwrite` — Shardscope's files of another conversion, which
 * are deleted first. Entries no Shardscope run wrote are never ours to replace or delete: they refuse the run,
 * `overwrite` or not. Ours are the manifest, the lock, `*.shardscope-<tag>.tmp` files, and in `rank_<N>/` folders
 * the outputs a manifest lists or that carry this conversion's output names.
 */
export async function inspectDestination(
  plan: TransformPlan,
  options: { underLock?: boolean; scope?: DestinationScope } = {}
): Promise<DestinationInspection> {
  const folder = plan.destination.folder
  // A worker looks only at its share: its manifest, its files, its ranks' folders (worker-share.ts checks the rest).
  const scope = options.scope
  const manifestName = scope?.manifestName ?? MANIFEST_NAME
  const share = scope?.share
  const ownFile = (name: string) => {
    const file = parseWorkerFile(name)
    return (
      file !== undefined && file.kind !== 'lock' && file.index === share?.index && file.count === share.count
    )
  }
  const workerFiles: string[] = []
  const state: DestinationState = { kind: 'new', replaces: [], foreign: [], done: [] }
  const problems: Problem[] = []
  const entries = await listFolder(folder)
  if (!entries) return { state, problems, leftovers: [] }
  let manifest: Manifest | undefined
  try {
    manifest = await readManifest(folder, manifestName)
  } catch (err) {
    if (!isShardscopeError(err)) throw err
    state.kind = 'unusable'
    problems.push({
      severity: 'error',
      code: 'destination-manifest-damaged',
      message: err.message,
      file: folder
    })
    return { state, problems, leftovers: [] }
  }
  const leftovers: string[] = []
  const listed: string[] = []
  const unlisted: string[] = []
  const isOutputName = (dir: string, file: string) => {
    const rank = Number(RANK_DIR.exec(dir)![1])
    return rank < plan.destination.rankCount && file === outputName(plan, rank)
  }
  for (const entry of entries) {
    if (entry.name === manifestName || entry.name === LOCK_NAME || isNfsPlaceholder(entry.name)) continue
    if (isBookkeeping(entry.name) || (share && entry.name === MANIFEST_NAME)) {
      if (!ownFile(entry.name) && (share || parseWorkerFile(entry.name))) workerFiles.push(entry.name)
      continue
    }
    const temp = parseTempName(entry.name)
    // A lock being staged belongs to a run trying to lock right now, another worker's files to that worker.
    if (temp && (temp.final === LOCK_NAME || (isBookkeeping(temp.final) && !ownFile(temp.final)))) continue
    if (temp && share && temp.final !== manifestName && !ownFile(temp.final)) continue
    if (temp) leftovers.push(entry.name)
    else if (share && RANK_DIR.test(entry.name) && !scope.ownsRank(Number(RANK_DIR.exec(entry.name)![1])))
      continue
    else if (RANK_DIR.test(entry.name) && (await isDirectory(join(folder, entry.name), entry))) {
      for (const inner of (await listFolder(join(folder, entry.name))) ?? []) {
        if (isNfsPlaceholder(inner.name)) continue
        const relative = `${entry.name}/${inner.name}`
        const legacyTemp = inner.name.endsWith(TEMP_SUFFIX)
          ? relative.slice(0, -TEMP_SUFFIX.length)
          : undefined
        if (
          parseTempName(inner.name) ||
          (legacyTemp && (manifest?.outputs[legacyTemp] || isOutputName(entry.name, inner.name.slice(0, -4))))
        )
          leftovers.push(relative)
        else if (manifest?.outputs[relative]) listed.push(relative)
        else if (isOutputName(entry.name, inner.name) && inner.isFile()) unlisted.push(relative)
        else state.foreign.push(relative)
      }
    } else state.foreign.push(entry.name)
  }
  // When planning: say that a run is writing there now (the run itself, holding the lock, need not ask).
  const holder = options.underLock ? undefined : await lockHolder(folder, scope?.lockName)
  if (holder) problems.push({ severity: 'warning', code: 'destination-busy', message: holder, file: folder })
  if (manifest)
    state.previous = {
      sourceFolder: manifest.sourceFolder,
      updatedAt: manifest.updatedAt,
      outputs: Object.keys(manifest.outputs).length
    }
  const singleRun = share !== undefined && workerFiles.includes(MANIFEST_NAME)
  if ((share === undefined && workerFiles.length > 0) || singleRun) {
    // A distributed conversion and a single run never share a folder, whichever comes second.
    state.kind = 'unusable'
    problems.push({
      severity: 'error',
      code: 'destination-worker-shares',
      message: singleRun
        ? `The destination ${folder} holds a conversion written by a single run (${MANIFEST_NAME}); a worker of a distributed run does not write beside it. Choose another folder, or finish it with the same single "shardscope transform".`
        : `The destination ${folder} holds the shares of a distributed conversion (${listNames(workerFiles)}); a single run does not write beside them. Re-run the same workers to resume it, check it with "shardscope verify", or choose another folder.`,
      file: folder,
      paths: workerFiles
    })
  } else if (state.foreign.length > 0) {
    state.kind = 'unusable'
    problems.push({
      severity: 'error',
      code: 'destination-not-empty',
      message: `The destination ${folder} holds ${count(state.foreign.length, 'entry', 'entries')} that Shardscope did not write (${listNames(state.foreign)}); ${state.foreign.length === 1 ? "it is not Shardscope's to replace or delete, so choose an empty or new folder, or move it away" : "they are not Shardscope's to replace or delete, so choose an empty or new folder, or move them away"}.`,
      file: folder,
      paths: state.foreign
    })
  } else if (!manifest) {
    if (unlisted.length > 0) {
      state.kind = 'unusable'
      state.foreign = unlisted
      problems.push({
        severity: 'error',
        code: 'destination-not-empty',
        message: `The destination ${folder} already holds ${listNames(unlisted)}, and no Shardscope manifest vouches for ${unlisted.length === 1 ? 'it' : 'them'}; Shardscope does not replace files it cannot account for. Choose an empty or new folder, or remove ${unlisted.length === 1 ? 'it' : 'them'}.`,
        file: folder,
        paths: unlisted
      })
    } else state.kind = 'empty'
  } else if (isSameConversion(manifest, plan)) {
    state.kind = 'resume'
    state.done = listed
    // Complete-looking files no manifest lists (a run killed between rename and manifest update) are redone.
    leftovers.push(...unlisted)
    if (listed.length > 0)
      problems.push({
        severity: 'note',
        code: 'destination-resume',
        message: `${folder} holds ${count(listed.length, 'finished output')} of this same conversion; the run resumes: outputs made from the same plan are verified and skipped, the rest written.`,
        paths: listed
      })
  } else {
    state.kind = 'other-conversion'
    state.replaces = [...listed, ...unlisted].sort()
    const what = `${folder} holds another conversion (from ${manifest.sourceFolder}, last written ${manifest.updatedAt}, ${count(listed.length, 'output')})`
    problems.push(
      plan.destination.overwrite
        ? {
            severity: 'warning',
            code: 'destination-overwrite',
            message: `${what}; as asked (overwrite), its ${count(state.replaces.length, 'file')} (${listNames(state.replaces)}) and its manifest are deleted before anything is written.`,
            file: folder,
            paths: state.replaces
          }
        : {
            severity: 'error',
            code: 'destination-other-conversion',
            message: `${what}; this conversion would replace ${state.replaces.length === 0 ? 'its manifest' : listNames(state.replaces)}. Choose another destination, or confirm with --overwrite that the old outputs may be deleted.`,
            file: folder,
            paths: state.replaces
          }
    )
  }
  return { state, problems, manifest, leftovers }
}

export function outputName(plan: Pick<TransformPlan, 'options'>, rank: number): string {
  return `${plan.options.prefix}${rank}.${plan.options.format}`
}

function isSameConversion(manifest: Manifest, plan: TransformPlan): boolean {
  if (manifest.conversion) return sameConversion(manifest.conversion, plan.conversion)
  // A version-1 manifest: same strategies and options, and every source it recorded still as it was then.
  const { format, dtype, exclude, crc, prefix } = plan.options
  const options = { format, dtype, exclude, crc, prefix }
  const recorded = manifest.options as Record<string, unknown>
  if (Object.entries(options).some(([key, value]) => recorded[key] !== value)) return false
  if (manifest.strategies.source?.sha256 !== plan.source.strategyHash) return false
  if (manifest.strategies.destination?.sha256 !== plan.destination.strategyHash) return false
  return Object.values(manifest.outputs).every((output) =>
    output.sources.every((source) => {
      const match = /[\\/]rank_(\d+)[\\/]([^\\/]+)$/.exec(source.path)
      const now = match && plan.conversion.sourceFiles[match[1]!]
      return !now || (now.file === match[2] && now.size === source.size && now.mtimeMs === source.mtimeMs)
    })
  )
}

async function listFolder(path: string): Promise<Dirent[] | undefined> {
  try {
    return await readdir(path, { withFileTypes: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

async function isDirectory(path: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true
  if (!entry.isSymbolicLink()) return false
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false
  )
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
