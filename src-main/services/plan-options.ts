import { isAbsolute } from 'node:path'
import type { PlanRequest } from '../api/contract'
import { ShardscopeError } from '../engine/errors'
import { CIPHER_MODES } from '../engine/formats/ckpt/cipher-modes'
import { parseKeyArgument } from '../engine/formats/ckpt/ckpt-encrypt'
import type { CheckpointOpenOptions } from '../engine/formats/checkpoint-file'
import { parseCastTarget } from '../engine/plan/output-dtype'
import type { PlanOptions } from '../engine/plan/plan-types'

/** The CLI's default output prefix: `rank_<r>/checkpoint_<r>.ckpt`. */
export const DEFAULT_PREFIX = 'checkpoint_'

/**
 * The app's conversion options turned into the engine's, with the checks `shardscope transform` makes on the
 * same options (the renderer checks them as the user types; main checks them again, since it trusts nothing).
 */
export function planOptionsFrom(options: PlanRequest['options']): {
  options: PlanOptions
  open?: CheckpointOpenOptions
} {
  if (options.crc && options.format === 'safetensors') {
    throw new ShardscopeError(
      'BAD_INPUT',
      'The CRC trailer belongs to .ckpt outputs; safetensors outputs do not have one.'
    )
  }
  if (options.prefix !== undefined && /[/\\]/.test(options.prefix)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `The output prefix must be a file-name prefix without slashes, got "${options.prefix}".`
    )
  }
  const planOptions: PlanOptions = {
    format: options.format,
    crc: options.crc === true,
    prefix: options.prefix ?? DEFAULT_PREFIX,
    ...(options.dtype ? { dtype: parseCastTarget(options.dtype) } : {}),
    ...(options.exclude !== undefined ? { exclude: options.exclude } : {})
  }
  if (!options.decryption) return { options: planOptions }
  const { key, mode } = options.decryption
  // Main has no meaningful working folder: a key file must be named by its full path.
  if (key.startsWith('@') && !isAbsolute(key.slice(1))) {
    throw new ShardscopeError('BAD_INPUT', `The key file must be an absolute path, got "${key.slice(1)}".`)
  }
  const open: CheckpointOpenOptions = { key: parseKeyArgument(key) }
  if (mode !== undefined) {
    const known = CIPHER_MODES.find((m) => m.toLowerCase() === mode.toLowerCase())
    if (!known)
      throw new ShardscopeError(
        'BAD_INPUT',
        `The decryption mode must be one of ${CIPHER_MODES.join(', ')}, got "${mode}".`
      )
    open.mode = known
  }
  return { options: planOptions, open }
}
