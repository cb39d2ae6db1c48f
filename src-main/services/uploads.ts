import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { UploadFile } from '../api/contract'
import { ShardscopeError } from '../engine/errors'
import { MAX_UPLOAD_BYTES } from './request-validation'

/**
 * Browser mode cannot learn the path of a dropped file, so small dropped items (strategy files, rank tables,
 * test-sized checkpoints) are copied into a session folder on the server and opened from there. Relative paths
 * were validated (no `..`, no absolute parts); the total size is capped.
 */
export class UploadArea {
  private root?: string

  save(name: string, files: UploadFile[]): string {
    const decoded = files.map((f) => ({ relativePath: f.relativePath, bytes: Buffer.from(f.data, 'base64') }))
    const total = decoded.reduce((sum, f) => sum + f.bytes.length, 0)
    if (total > MAX_UPLOAD_BYTES) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `"${name}" is ${Math.round(total / 1048576)} MiB; dropped items are limited to ${MAX_UPLOAD_BYTES / 1048576} MiB in browser mode, so open it by its path instead.`
      )
    }
    if (decoded.length === 0)
      throw new ShardscopeError('BAD_INPUT', `"${name}" is empty: nothing was dropped.`)
    this.root ??= mkdtempSync(join(tmpdir(), 'shardscope-uploads-'))
    const target = mkdtempSync(join(this.root, 'drop-'))
    for (const file of decoded) {
      const path = join(target, file.relativePath)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, file.bytes)
    }
    // A single file opens as that file; a dropped folder opens as the folder it was.
    const first = decoded[0]!.relativePath.split('/')
    return decoded.length === 1 && first.length === 1 ? join(target, first[0]!) : join(target, first[0]!)
  }
}
