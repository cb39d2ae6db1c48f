import { ShardscopeError, type ErrorCode } from '../errors'

/**
 * How deep the JSON we read from users' files may nest. MindSpore's strategy files nest 5 levels, rank tables 5,
 * safetensors headers 3; beyond 64 a file is not one of ours, and code that walks parsed values (messages quoting
 * a value, key sorting) recurses per level, so a file nested 100 000 deep would exhaust the stack.
 */
export const MAX_JSON_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

/** Parses JSON text from a user's file after checking, without recursion, that it does not nest too deep. */
export function parseBoundedJson(
  text: string,
  subject: { file: string; what: string },
  code: ErrorCode = 'CORRUPT'
): unknown {
  requireShallowJson(text, subject, code)
  return JSON.parse(text)
}

/** Throws when `text` nests arrays and objects more than MAX_JSON_DEPTH deep (text inside strings aside). */
export function requireShallowJson(
  text: string,
  subject: { file: string; what: string },
  code: ErrorCode = 'CORRUPT'
): void {
  const offset = depthExceededAt(text, MAX_JSON_DEPTH)
  if (offset === undefined) return
  throw new ShardscopeError(
    code,
    `${subject.file} nests JSON more than ${MAX_JSON_DEPTH} levels deep (at offset ${offset}); ${subject.what} never nests that deep, so Shardscope does not read it.`,
    { file: subject.file }
  )
}

/** The offset of the bracket that opens level `limit + 1`, if the text nests that deep. */
export function depthExceededAt(text: string, limit: number): number | undefined {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) i = closingQuote(text, i)
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return i
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--
  }
  return undefined
}

/** One `"key": value` of an object, as the text holds it: the value is `text.slice(valueStart, valueEnd)`. */
export interface JsonMember {
  key: string
  valueStart: number
  valueEnd: number
}

interface Frame {
  isObject: boolean
  expectingKey: boolean
  key?: string
  /** Whether this container is the one reached from the root by the first `depth` keys of the path. */
  onPath: boolean
}

/**
 * The members of the object reached from the root by the keys in `path`, in text order and with repeats.
 * JSON.parse can tell neither: it keeps only the last of repeated keys, and it lists integer-like keys first.
 * `text` must already be valid JSON (parse it first); the scan is iterative and linear.
 */
export function objectMembersInTextOrder(text: string, path: readonly string[] = []): JsonMember[] {
  const members: JsonMember[] = []
  const frames: Frame[] = []
  let member: JsonMember | undefined
  let lastEnd = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === COLON) continue
    const top = frames[frames.length - 1]
    const inTarget = frames.length === path.length + 1 && top!.onPath && top!.isObject
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (inTarget && member) {
        member.valueEnd = lastEnd
        members.push(member)
        member = undefined
      }
      if (c === COMMA) top!.expectingKey = top!.isObject
      else frames.pop()
      lastEnd = i + 1
      continue
    }
    if (c === QUOTE && top?.isObject && top.expectingKey) {
      const end = closingQuote(text, i)
      top.key = JSON.parse(text.slice(i, end + 1)) as string
      top.expectingKey = false
      if (inTarget) member = { key: top.key, valueStart: -1, valueEnd: -1 }
      i = end
      continue
    }
    if (inTarget && member && member.valueStart < 0) member.valueStart = i
    if (c === QUOTE) i = closingQuote(text, i)
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const depth = frames.length
      const onPath =
        !top || (top.onPath && top.isObject && depth <= path.length && top.key === path[depth - 1])
      frames.push({ isObject: c === OPEN_OBJECT, expectingKey: c === OPEN_OBJECT, onPath })
    }
    lastEnd = i + 1
  }
  return members
}

function closingQuote(text: string, openingQuote: number): number {
  for (let i = openingQuote + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === BACKSLASH) i++
    else if (c === QUOTE) return i
  }
  return text.length
}
