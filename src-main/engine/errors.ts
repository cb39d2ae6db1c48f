/**
 * Engine errors are values with words: a stable code for programs, one human sentence for people, and the
 * file / parameter / rank they concern. Shells print `message` and map `code` to exit codes; nobody shows a
 * stack trace to a user.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'EMPTY_FILE'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'UNKNOWN_FORMAT'
  | 'UNKNOWN_DTYPE'
  | 'SIZE_MISMATCH'
  | 'CRC_MISMATCH'
  | 'ENCRYPTED'
  | 'DECRYPT_FAILED'
  | 'UNSUPPORTED'
  | 'INVALID_STRATEGY'
  | 'INVALID_LAYOUT'
  | 'PLAN_INVALID'
  | 'IO_ERROR'
  | 'CANCELLED'
  | 'VERIFY_FAILED'
  /** Another run holds the destination's lock. */
  | 'BUSY'
  /** A source file is not the one the plan was made from. */
  | 'SOURCE_CHANGED'

export interface ErrorSubject {
  file?: string
  param?: string
  rank?: number
}

export class ShardscopeError extends Error {
  readonly code: ErrorCode
  readonly file?: string
  readonly param?: string
  readonly rank?: number

  constructor(code: ErrorCode, message: string, subject: ErrorSubject = {}) {
    super(message)
    this.name = 'ShardscopeError'
    this.code = code
    if (subject.file !== undefined) this.file = subject.file
    if (subject.param !== undefined) this.param = subject.param
    if (subject.rank !== undefined) this.rank = subject.rank
  }

  toJSON(): { code: ErrorCode; message: string } & ErrorSubject {
    return { code: this.code, message: this.message, file: this.file, param: this.param, rank: this.rank }
  }
}

export function isShardscopeError(value: unknown): value is ShardscopeError {
  return value instanceof ShardscopeError
}
