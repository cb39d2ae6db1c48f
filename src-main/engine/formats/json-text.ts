import { ShardscopeError, type ErrorCode } from '../errors'

/**
 * Bounds on the JSON we read from users' files, checked by a linear scan before JSON.parse. Depth: MindSpore's
 * strategy files nest 5 levels, rank tables 5, safetensors headers 3, and code that walks parsed values (messages
 * quoting a value, key sorting) recurses per level, so 100 000 levels would exhaust the stack. Values: the largest
 * models' strategies hold a few million, while a 256 MiB file of `{},` would make JSON.parse build 85 million
 * objects and run out of memory.
 */
export const JSON_LIMITS = { depth: 64, values: 2 ** 24 } as const

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

/** Throws when `text` nests deeper or holds more values than JSON_LIMITS allow. */
export function requireBoundedJson(
  text: string,
  subject: { file: string; what: string },
  code: ErrorCode = 'CORRUPT'
): void {
  const beyond = jsonBeyondLimits(text, JSON_LIMITS)
  if (!beyond) return
  const what =
    beyond.limit === 'depth'
      ? `nests JSON more than ${JSON_LIMITS.depth} levels deep (at offset ${beyond.offset}); ${subject.what} never nests that deep`
      : `holds more than ${JSON_LIMITS.values} JSON values (counted up to offset ${beyond.offset}); ${subject.what} holds far fewer`
  throw new ShardscopeError(code, `${subject.file} ${what}, so Shardscope does not read it.`, {
    file: subject.file
  })
}

/**
 * Where `text` first goes beyond `limits`, text inside strings aside: the bracket that opens one level too
 * many, or the separator after one value too many (values are counted as containers plus commas).
 */
export function jsonBeyondLimits(
  text: string,
  limits: { depth: number; values: number }
): { limit: 'depth' | 'values'; offset: number } | undefined {
  let depth = 0
  let values = 1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) i = closingQuote(text, i)
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.depth) return { limit: 'depth', offset: i }
      if (++values > limits.values) return { limit: 'values', offset: i }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--
    else if (c === COMMA && ++values > limits.values) return { limit: 'values', offset: i }
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
