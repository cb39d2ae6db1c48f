import { escapeForTerminal } from '../engine/util/terminal-text'

export { formatBytes } from '../engine/util/format-bytes'

/**
 * A plain-text table with aligned columns, for human-readable command output. Cells often quote names from
 * files, so characters a terminal would act on are shown escaped (and widths measured after escaping).
 */
export function formatTable(
  headers: string[],
  rows: (string | number)[][],
  rightAligned: number[] = []
): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => escapeForTerminal(String(cell))))]
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
