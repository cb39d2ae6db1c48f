import { parseKeyArgument } from '../engine/formats/ckpt/ckpt-encrypt'
import { CIPHER_MODES, type CipherMode } from '../engine/formats/ckpt/cipher-modes'
import type { CheckpointOpenOptions } from '../engine/formats/checkpoint-file'
import { readStrategyInput } from '../engine/formats/strategy/strategy-file'
import { ShardscopeError } from '../engine/errors'
import type { StrategySet } from '../engine/model/strategy-set'

/** Options several commands share: the two strategies and the decryption key. */
export const STRATEGY_OPTIONS = {
  'src-strategy': { type: 'string' },
  'dst-strategy': { type: 'string' }
} as const

export const DECRYPT_OPTIONS = {
  'dec-key': { type: 'string' },
  'dec-mode': { type: 'string' }
} as const

export async function readStrategies(values: {
  'src-strategy'?: string
  'dst-strategy'?: string
}): Promise<{ source?: StrategySet; destination?: StrategySet }> {
  return {
    source:
      values['src-strategy'] === undefined ? undefined : await readStrategyInput(values['src-strategy']),
    destination:
      values['dst-strategy'] === undefined ? undefined : await readStrategyInput(values['dst-strategy'])
  }
}

export function decryptionOptions(values: {
  'dec-key'?: string
  'dec-mode'?: string
}): CheckpointOpenOptions {
  const options: CheckpointOpenOptions = {}
  if (values['dec-key'] !== undefined) options.key = parseKeyArgument(values['dec-key'])
  if (values['dec-mode'] !== undefined) options.mode = parseMode(values['dec-mode'])
  return options
}

function parseMode(text: string): CipherMode {
  const mode = CIPHER_MODES.find((m) => m.toLowerCase() === text.toLowerCase())
  if (!mode)
    throw new ShardscopeError(
      'BAD_INPUT',
      `--dec-mode must be one of ${CIPHER_MODES.join(', ')}, got "${text}".`
    )
  return mode
}
