import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ShardscopeError } from '../engine/errors'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * `util.parseArgs` with errors turned into one sentence a user can act on, instead of Node's TypeError with a
 * code.
 */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '')
    throw new ShardscopeError('BAD_INPUT', `${message}. Run "shardscope ${command} --help" for usage.`)
  }
}

export function requireInteger(flag: string, value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new ShardscopeError('BAD_INPUT', `${flag} must be a non-negative integer, got "${value}".`)
  }
  return n
}
