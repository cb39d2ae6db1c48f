import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import {
  MANIFEST_NAME,
  manifestOutputs,
  manifestProgress,
  readManifest,
  VERIFIABLE_HASHES,
  type ManifestRun
} from './manifest'
import { readWorkerShares, type SharesCheck } from './worker-manifests'
import { WorkerPool } from './worker-pool'

export interface VerifiedOutput {
  output: string
  rank: number
  expectedSize: number
  size: number
  /** `unverifiable`: the manifest holds no hash this version can recompute. */
  status: 'ok' | 'missing' | 'size-mismatch' | 'checksum-mismatch' | 'unverifiable'
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

/** Re-hashes every output the destination's manifest lists and compares size and SHA-256. */
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
        const hashed = await pool.run({
          type: 'hash',
          rank: recorded.rank,
          path: join(folder, recorded.output)
        })
        if (hashed.type !== 'hashed') throw new Error('unexpected worker reply')
        const checkable = VERIFIABLE_HASHES.some((algorithm) => recorded.hashes[algorithm] !== undefined)
        const status: VerifiedOutput['status'] =
          hashed.sha256 === undefined && hashed.size === 0
            ? 'missing'
            : hashed.size !== recorded.size
              ? 'size-mismatch'
              : !checkable
                ? 'unverifiable'
                : recorded.hashes.sha256 !== undefined && hashed.sha256 !== recorded.hashes.sha256
                  ? 'checksum-mismatch'
                  : 'ok'
        const result = {
          output: recorded.output,
          rank: recorded.rank,
          expectedSize: recorded.size,
          size: hashed.size,
          status
        }
        options.onChecked?.(result)
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
