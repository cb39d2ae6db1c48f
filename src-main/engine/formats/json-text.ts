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

/**
 * The members of the object reached from the root by the keys in `path`, in text order and with repeats.
 * JSON.parse can tell neither: it keeps only the last of repeated keys, and it lists integer-like keys first.
 * A repeated key on the path leads into each of its objects. `text` must already be valid JSON (parse it
 * first). The walk recurses once per key of `path`, never per level of the text, and steps over the values it
 * does not list without looking at their keys: linear, and quick on a strategy of 100,000 layouts.
 */
export function objectMembersInTextOrder(text: string, path: readonly string[] = []): JsonMember[] {
  const members: JsonMember[] = []
  const root = skipWhitespace(text, 0)
  if (text.charCodeAt(root) === OPEN_OBJECT) membersOf(text, root, path, 0, members)
  return members
}

/** Walks the object opening at `open`, listing or descending per `path`; returns the index after its `}`. */
function membersOf(
  text: string,
  open: number,
  path: readonly string[],
  depth: number,
  members: JsonMember[]
): number {
  let i = open + 1
  for (;;) {
    i = skipWhitespace(text, i)
    const c = text.charCodeAt(i)
    if (c === COMMA) {
      i++
      continue
    }
    if (c !== QUOTE) return i + 1 // the closing brace (or the end of a text that was not valid JSON)
    const keyEnd = closingQuote(text, i)
    const key = keyText(text, i, keyEnd)
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd + 1) + 1) // past the colon
    if (depth === path.length) {
      i = valueEnd(text, valueStart)
      members.push({ key, valueStart, valueEnd: i })
    } else if (key === path[depth] && text.charCodeAt(valueStart) === OPEN_OBJECT) {
      i = membersOf(text, valueStart, path, depth + 1, members)
    } else {
      i = valueEnd(text, valueStart)
    }
  }
}

/** The index just after the value starting at `start`. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start)
  if (first === QUOTE) return closingQuote(text, start) + 1
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let i = start
    while (i < text.length && !endsScalar(text.charCodeAt(i))) i++
    return i
  }
  let depth = 0
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) i = closingQuote(text, i)
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++
    else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return i + 1
  }
  return text.length
}

function endsScalar(c: number): boolean {
  return c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isWhitespace(c)
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

function skipWhitespace(text: string, from: number): number {
  let i = from
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++
  return i
}

/** A key's text: escapes decoded by JSON.parse only when there are any. */
function keyText(text: string, openingQuote: number, closing: number): string {
  const body = text.slice(openingQuote + 1, closing)
  return body.includes('\\') ? (JSON.parse(text.slice(openingQuote, closing + 1)) as string) : body
}

/** The quote closing the string opening at `openingQuote`: the next one not escaped by an odd run of `\`. */
function closingQuote(text: string, openingQuote: number): number {
  let i = openingQuote
  for (;;) {
    i = text.indexOf('"', i + 1)
    if (i < 0) return text.length
    let before = i - 1
    while (text.charCodeAt(before) === BACKSLASH) before--
    if ((i - 1 - before) % 2 === 0) return i
  }
}
