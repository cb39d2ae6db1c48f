import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { MANIFEST_NAME, readManifest } from './manifest'
import { WorkerPool } from './worker-pool'

export interface VerifiedOutput {
  output: string
  rank: number
  expectedSize: number
  size: number
  status: 'ok' | 'missing' | 'size-mismatch' | 'checksum-mismatch'
}

/** Re-hashes every output the destination's manifest lists and compares size and SHA-256. */
export async function verifyOutputs(
  folder: string,
  options: { jobs?: number; signal?: AbortSignal; onChecked?: (output: VerifiedOutput) => void } = {}
): Promise<VerifiedOutput[]> {
  const manifest = await readManifest(folder)
  if (!manifest) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `${folder} has no ${MANIFEST_NAME}; only a folder written by "shardscope transform" can be verified.`,
      { file: folder }
    )
  }
  const entries = Object.entries(manifest.outputs).sort((a, b) => a[1].rank - b[1].rank)
  const pool = new WorkerPool(Math.max(1, Math.min(options.jobs ?? availableParallelism(), entries.length)))
  const onAbort = () => pool.cancel()
  options.signal?.addEventListener('abort', onAbort)
  try {
    const results = await Promise.all(
      entries.map(async ([output, recorded]) => {
        const hashed = await pool.run({ type: 'hash', rank: recorded.rank, path: join(folder, output) })
        if (hashed.type !== 'hashed') throw new Error('unexpected worker reply')
        const status: VerifiedOutput['status'] =
          hashed.sha256 === undefined && hashed.size === 0
            ? 'missing'
            : hashed.size !== recorded.size
              ? 'size-mismatch'
              : hashed.sha256 !== recorded.sha256
                ? 'checksum-mismatch'
                : 'ok'
        const result = { output, rank: recorded.rank, expectedSize: recorded.size, size: hashed.size, status }
        options.onChecked?.(result)
        return result
      })
    )
    if (options.signal?.aborted) throw new ShardscopeError('CANCELLED', 'Verification was cancelled.')
    return results
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await pool.close()
  }
}
