export { formatBytes } from '../engine/util/format-bytes'

/** A plain-text table with aligned columns, for human-readable command output. */
export function formatTable(
  headers: string[],
  rows: (string | number)[][],
  rightAligned: number[] = []
): string {
  const cells = [headers, ...rows.map((row) => row.map(String))]
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)))
  const line = (row: string[]) =>
    row
      .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd()
  return (
    [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n') + '\n'
  )
}
