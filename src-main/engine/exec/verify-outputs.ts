import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import type { HashAlgorithm } from '../io/output-hashes'
import {
  MANIFEST_NAME,
  manifestOutputs,
  manifestProgress,
  readManifest,
  recordedComputable,
  type ManifestRun
} from './manifest'
import { readWorkerShares, type SharesCheck } from './worker-manifests'
import { errorFromWorker, WorkerPool } from './worker-pool'

export interface VerifiedOutput {
  output: string
  rank: number
  expectedSize: number
  size: number
  /** `unverifiable`: the manifest holds no hash this version can recompute. */
  status: 'ok' | 'missing' | 'size-mismatch' | 'checksum-mismatch' | 'unverifiable'
  /** The recorded hashes that were recomputed and compared (every one the manifest holds that can be). */
  checked: HashAlgorithm[]
}

export interface DestinationVerification {
  outputs: VerifiedOutput[]
  /** Destination ranks of the conversion, when the manifest says (version-1 manifests do not). */
  destinationRanks?: number
  /** How the last run into the folder ended. */
  lastRun?: ManifestRun['state']
  /** Outputs the last run was asked to write that are not there (it was cancelled or failed). */
  unfinished: string[]
  /** A distributed conversion's folder: its worker manifests were merged; `problems` fail the verification. */
  shares?: SharesCheck
}

export interface VerifyOptions {
  jobs?: number
  signal?: AbortSignal
  onChecked?: (output: VerifiedOutput) => void
  /** The folder is one node's private destination: only the worker shares in it are expected there. */
  nodeOnly?: boolean
}

/** Re-hashes every output the destination's manifest lists and compares its size and every hash recorded. */
export async function verifyOutputs(folder: string, options: VerifyOptions = {}): Promise<VerifiedOutput[]> {
  return (await verifyDestination(folder, options)).outputs
}

/** `verifyOutputs`, plus how complete the conversion in the folder is. */
export async function verifyDestination(
  folder: string,
  options: VerifyOptions = {}
): Promise<DestinationVerification> {
  const shares = await readWorkerShares(folder, { nodeOnly: options.nodeOnly === true })
  const manifest = shares?.manifest ?? (await readManifest(folder))
  if (!manifest) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `${folder} has no ${MANIFEST_NAME}; only a folder written by "shardscope transform" can be verified.`,
      { file: folder }
    )
  }
  const entries = manifestOutputs(manifest)
  const progress = manifestProgress(manifest)
  const summary = {
    ...(progress.destinationRanks !== undefined ? { destinationRanks: progress.destinationRanks } : {}),
    ...(progress.lastRun ? { lastRun: progress.lastRun } : {}),
    unfinished: progress.requestedMissing,
    ...(shares ? { shares: shares.check } : {})
  }
  if (entries.length === 0) return { outputs: [], ...summary }
  const pool = new WorkerPool(Math.max(1, Math.min(options.jobs ?? availableParallelism(), entries.length)))
  const onAbort = () => pool.cancel()
  options.signal?.addEventListener('abort', onAbort)
  try {
    const outputs = await Promise.all(
      entries.map(async (recorded) => {
        const checked = recordedComputable(recorded.hashes)
        const hashed = await pool.run({
          type: 'hash',
          rank: recorded.rank,
          path: join(folder, recorded.output),
          algorithms: checked
        })
        if (hashed.type === 'failed') throw errorFromWorker(hashed.error)
        if (hashed.type !== 'hashed') throw new Error('unexpected worker reply')
        const status: VerifiedOutput['status'] = !hashed.exists
          ? 'missing'
          : hashed.size !== recorded.size
            ? 'size-mismatch'
            : checked.length === 0
              ? 'unverifiable'
              : checked.some((algorithm) => hashed.hashes?.[algorithm] !== recorded.hashes[algorithm])
                ? 'checksum-mismatch'
                : 'ok'
        const result = {
          output: recorded.output,
          rank: recorded.rank,
          expectedSize: recorded.size,
          size: hashed.size,
          status,
          checked
        }
        // A hash stopped by cancelling proves nothing either way; the whole verification is reported cancelled.
        if (!options.signal?.aborted) options.onChecked?.(result)
        return result
      })
    )
    if (options.signal?.aborted) throw new ShardscopeError('CANCELLED', 'Verification was cancelled.')
    return { outputs, ...summary }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await pool.close()
  }
}
