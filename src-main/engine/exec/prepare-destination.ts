import { unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { ioError } from '../io/io-error'
import { checkDestinationAliasing } from '../plan/destination-aliasing'
import type { Problem, TransformPlan } from '../plan/plan-types'
import type { DestinationScope } from './destination-scope'
import { inspectDestination } from './destination-state'
import { MANIFEST_NAME, writeManifest, type Manifest } from './manifest'

/**
 * Under the destination's lock, looks at the folder again (the plan may be old, another run may have come and
 * gone) and makes it ready: refuses what the plan would refuse now, removes temporary files of dead runs, deletes
 * a previous conversion the plan was allowed to overwrite, and writes the manifest this run starts from — before
 * any output exists, so every output always lives under a manifest.
 */
export async function prepareDestination(
  plan: TransformPlan,
  runId: string,
  scope?: DestinationScope
): Promise<Manifest> {
  const folder = plan.destination.folder
  const problems: Problem[] = []
  await checkDestinationAliasing(plan.source.folder, folder, plan.ranks, problems)
  const inspection =
    problems.length > 0
      ? undefined
      : await inspectDestination(plan, { underLock: true, ...(scope ? { scope } : {}) })
  problems.push(...(inspection?.problems ?? []))
  const errors = problems.filter((p) => p.severity === 'error')
  if (errors.length > 0 || !inspection)
    throw new ShardscopeError('PLAN_INVALID', errors[0]!.message, { file: folder })

  const remove = async (relative: string) => {
    const path = join(folder, relative)
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw ioError(err, path, 'remove')
    })
  }
  for (const leftover of inspection.leftovers) await remove(leftover)
  if (inspection.state.kind === 'other-conversion') {
    // Allowed by the plan (overwrite): the old outputs go first, then the manifest that vouched for them.
    for (const output of inspection.state.replaces) await remove(output)
    await remove(MANIFEST_NAME)
  }
  const previous = inspection.state.kind === 'resume' ? inspection.manifest : undefined
  const manifest: Manifest = {
    format: 'shardscope-manifest',
    version: 2,
    conversion: plan.conversion,
    sourceFolder: plan.source.folder,
    destinationRanks: plan.destination.rankCount,
    strategies: {
      ...strategyIdentity('source', plan.source),
      ...strategyIdentity('destination', plan.destination)
    },
    options: { ...plan.options },
    outputs: { ...(previous?.outputs ?? {}) },
    run: {
      id: runId,
      state: 'running',
      startedAt: new Date().toISOString(),
      host: hostname(),
      pid: process.pid,
      requested: plan.ranks.map((r) => r.output)
    },
    ...(scope?.share ? { share: scope.share } : {}),
    updatedAt: new Date().toISOString()
  }
  await writeManifest(folder, manifest, runId, scope?.manifestName)
  return manifest
}

function strategyIdentity(
  key: 'source' | 'destination',
  side: { strategy?: string[]; strategyHash?: string }
): Manifest['strategies'] {
  return side.strategy && side.strategyHash
    ? { [key]: { paths: side.strategy, sha256: side.strategyHash } }
    : {}
}
