/**
 * JSON text as Python's `json.dump` writes it with default settings (`", "` and `": "` separators, insertion
 * order, non-ASCII escaped): the form of MindSpore's merged JSON strategy files.
 */
export function formatPythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloat(value)
  if (typeof value === 'string') return pythonString(value)
  if (Array.isArray(value)) return `[${value.map(formatPythonJson).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${formatPythonJson(v)}`).join(', ')}}`
}

function pythonString(text: string): string {
  // JSON.stringify leaves non-ASCII characters as they are; Python's ensure_ascii escapes them.
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

function pythonFloat(value: number): string {
  const text = String(value)
  return /[.eE]/.test(text) || !Number.isFinite(value) ? text : `${text}.0`
}
