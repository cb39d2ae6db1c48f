import type { KeyboardEvent } from 'react'

/**
 * Keyboard selection for a table of selectable rows (role="grid"): one row is in the tab order, ↑ ↓ Home End
 * move and select, Enter and Space select.
 */
export function rowKeys<T>(rows: readonly T[], index: number, onSelect: (row: T) => void) {
  return (event: KeyboardEvent<HTMLTableRowElement>) => {
    const targets: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: rows.length - 1,
      Enter: index,
      ' ': index
    }
    const target = targets[event.key]
    if (target === undefined || target < 0 || target >= rows.length) return
    event.preventDefault()
    onSelect(rows[target]!)
    const body = event.currentTarget.parentElement
    ;(body?.children[target] as HTMLElement | undefined)?.focus()
  }
}
