import { ShardscopeError } from '../errors'
import type { ByteSource } from '../io/byte-source'
import { LocalFileSource } from '../io/local-file'
import type { CipherMode } from './ckpt/cipher-modes'
import { cipherModeOfMagic } from './ckpt/cipher-modes'
import { indexCkpt } from './ckpt/ckpt-index'
import { openDecryptedSource } from './ckpt/ckpt-decrypt'
import { verifyCrcTrailer } from './ckpt/crc-trailer'
import { indexSafetensors, isSafetensorsHeader } from './safetensors/safetensors-index'
import type { TensorEntry } from './tensor-entry'

export interface CheckpointOpenOptions {
  /** Key of an encrypted `.ckpt`; with it, `mode` (default AES-GCM as in MindSpore). */
  key?: Uint8Array
  mode?: CipherMode
  /** Recompute the CRC-32 trailer (`.ckpt`) and fail on mismatch. */
  verifyCrc?: boolean
}

/** An indexed checkpoint file of either format; `source` reads its (decrypted) bytes. */
export interface OpenCheckpoint {
  file: string
  format: 'ckpt' | 'safetensors'
  /** Size on disk. */
  size: number
  tensors: TensorEntry[]
  metadata: Record<string, string>
  warnings: string[]
  hasCrc: boolean
  encrypted?: CipherMode
  source: ByteSource
  close(): Promise<void>
}

/** Opens and indexes a `.ckpt` (plain or encrypted) or `.safetensors` file, told apart by content. */
export async function openCheckpoint(
  path: string,
  options: CheckpointOpenOptions = {}
): Promise<OpenCheckpoint> {
  const file = await LocalFileSource.open(path)
  try {
    const head = new Uint8Array(Math.min(16, file.size))
    await file.readInto(head, 0, head.length, 0)
    if (isSafetensorsHeader(head, file.size)) {
      const index = await indexSafetensors(file)
      return {
        file: path,
        format: 'safetensors',
        size: file.size,
        tensors: index.tensors,
        metadata: index.metadata,
        warnings: [],
        hasCrc: 'crc_num' in index.metadata,
        source: file,
        close: () => file.close()
      }
    }
    const cipher = cipherModeOfMagic(head)
    let source: ByteSource = file
    if (cipher && options.key) {
      source = await openDecryptedSource(file, options.key, options.mode ?? cipher)
    }
    const index = await indexCkpt(source)
    if (options.verifyCrc && index.crc) await verifyCrcTrailer(source, index.crc)
    const opened: OpenCheckpoint = {
      file: path,
      format: 'ckpt',
      size: file.size,
      tensors: index.tensors,
      metadata: {},
      warnings: index.warnings,
      hasCrc: index.crc !== undefined,
      source,
      close: () => file.close()
    }
    if (cipher) opened.encrypted = cipher
    return opened
  } catch (err) {
    await file.close()
    throw err
  }
}

export async function withCheckpoint<T>(
  path: string,
  options: CheckpointOpenOptions,
  use: (checkpoint: OpenCheckpoint) => Promise<T>
): Promise<T> {
  const checkpoint = await openCheckpoint(path, options)
  try {
    return await use(checkpoint)
  } finally {
    await checkpoint.close()
  }
}

/** Opens a checkpoint's bytes for reading tensor payloads (decrypting on the fly if it is encrypted). */
export async function openCheckpointBytes(
  path: string,
  options: CheckpointOpenOptions = {}
): Promise<ByteSource> {
  const file = await LocalFileSource.open(path)
  try {
    const head = new Uint8Array(Math.min(4, file.size))
    await file.readInto(head, 0, head.length, 0)
    const cipher = cipherModeOfMagic(head)
    if (!cipher) return file
    if (!options.key) {
      throw new ShardscopeError(
        'ENCRYPTED',
        `${path} is an encrypted checkpoint (${cipher}); give its key (and mode) to read it.`,
        {
          file: path
        }
      )
    }
    return await openDecryptedSource(file, options.key, options.mode ?? cipher)
  } catch (err) {
    await file.close()
    throw err
  }
}
