import { isShardscopeError } from '../engine/errors'

export const EXIT_OK = 0
export const EXIT_VERIFY_FAILED = 1
export const EXIT_BAD_INPUT = 2
export const EXIT_INTERNAL = 70
export const EXIT_CANCELLED = 130

/** The exit code and the one line a user sees for an error; never a stack trace. */
export function describeFailure(err: unknown): { code: number; message: string } {
  if (isShardscopeError(err)) {
    if (err.code === 'CANCELLED') return { code: EXIT_CANCELLED, message: err.message }
    if (err.code === 'VERIFY_FAILED') return { code: EXIT_VERIFY_FAILED, message: err.message }
    return { code: EXIT_BAD_INPUT, message: err.message }
  }
  const detail = err instanceof Error ? err.message : String(err)
  return {
    code: EXIT_INTERNAL,
    message: `internal error: ${detail}. This is a bug in Shardscope; please report it with the command you ran.`
  }
}
