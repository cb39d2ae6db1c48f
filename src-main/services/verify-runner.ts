import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { AppEvent } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { MANIFEST_NAME, readManifest } from '../engine/exec/manifest'
import { verifyOutputs } from '../engine/exec/verify-outputs'

/**
 * Re-verifies a converted folder against its manifest in the background (hashing is on worker threads), one
 * event per checked output, so a folder of a thousand large files shows progress and can be cancelled.
 */
export class VerifyRunner {
  private readonly running = new Map<string, AbortController>()

  constructor(private readonly emit: (event: AppEvent) => void) {}

  async start(folder: string): Promise<{ verifyId: string; total: number }> {
    const manifest = await readManifest(folder)
    // Without a manifest the engine's verify refuses in its own words, before any worker starts.
    if (!manifest) await verifyOutputs(folder)
    const total = Object.keys(manifest?.outputs ?? {}).length
    const verifyId = randomUUID()
    const controller = new AbortController()
    this.running.set(verifyId, controller)
    void verifyOutputs(folder, {
      signal: controller.signal,
      onChecked: (output) => this.emit({ type: 'verify.checked', verifyId, output })
    })
      .then((outputs) =>
        this.emit({
          type: 'verify.finished',
          result: {
            verifyId,
            folder,
            manifest: join(folder, MANIFEST_NAME),
            // A manifest that vouches for nothing verifies nothing.
            verified: outputs.length > 0 && outputs.every((o) => o.status === 'ok'),
            outputs: outputs.map(({ output, rank, status, size, expectedSize }) => ({
              output,
              rank,
              status,
              size,
              expectedSize
            }))
          }
        })
      )
      .catch((err: unknown) =>
        this.emit({
          type: 'verify.failed',
          verifyId,
          message: isShardscopeError(err) ? err.message : `internal error: ${(err as Error).message}`
        })
      )
      .finally(() => this.running.delete(verifyId))
    return { verifyId, total }
  }

  cancel(verifyId: string): boolean {
    const controller = this.running.get(verifyId)
    controller?.abort()
    return controller !== undefined
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort()
  }
}
