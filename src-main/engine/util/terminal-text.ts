/**
 * Characters a terminal acts on instead of printing, beyond the C0 controls: DEL and the C1 controls (0x9b is
 * a one-byte CSI), Unicode line separators, and the bidirectional marks and overrides that make text read
 * differently from what it holds. JSON.stringify escapes C0 controls but leaves all of these raw.
 */
const ACTIVE_BEYOND_C0 = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069'
const ACTIVE = new RegExp(`[\\u0000-\\u001f${ACTIVE_BEYOND_C0}]`, 'g')
const ACTIVE_IN_JSON = new RegExp(`[${ACTIVE_BEYOND_C0}]`, 'g')

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/**
 * Text from a file (a tensor name, a dtype, a path) made safe to print to a terminal: every character a
 * terminal would act on is shown as a `\xHH` or `\uHHHH` escape, so a hostile name can neither recolour nor
 * rewrite the screen nor forge extra lines.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(ACTIVE, (c) =>
    c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : unicodeEscape(c)
  )
}

/**
 * JSON text safe for a terminal or a pipe: exactly the value JSON.stringify gives, with the active characters
 * it leaves raw written as `\uXXXX` (they can only occur inside strings, where the escape means the same).
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value).replace(ACTIVE_IN_JSON, unicodeEscape)
}
