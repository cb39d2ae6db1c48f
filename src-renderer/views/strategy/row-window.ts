/** Must match .param-row / .param-header heights in strategy.css. */
export const ROW_HEIGHT = 28
export const HEADER_HEIGHT = 32
const OVERSCAN = 12
/** The rendered window moves in steps of this many rows: most scroll frames then re-render nothing. */
export const STEP = 24

export interface RowWindow {
  first: number
  end: number
  /** Rows to render, `[row index, slot]`: the slot is the React key, so a DOM row is kept per slot. */
  rows: [number, number][]
}

/**
 * The rows a virtual table renders at a scroll step: the viewport's rows, a step ahead and some overscan, each
 * in a fixed slot (row index modulo the window's size). A row scrolled out leaves its slot to the row scrolled
 * in, so scrolling rewrites the text of a few DOM rows and never creates, removes or moves one. While the user
 * scrolls, rows are listed in slot order, which keeps React from moving DOM nodes; at rest, in row order, so
 * the DOM reads top to bottom for assistive technology.
 */
export function rowWindow(
  step: number,
  viewportHeight: number,
  rowCount: number,
  inRowOrder: boolean
): RowWindow {
  const size = Math.ceil(viewportHeight / ROW_HEIGHT) + STEP + 2 * OVERSCAN
  const first = Math.min(Math.max(0, step * STEP - OVERSCAN), Math.max(0, rowCount - size))
  const end = Math.min(rowCount, first + size)
  const rows: [number, number][] = []
  for (let index = first; index < end; index++) rows.push([index, index % size])
  if (!inRowOrder) rows.sort((a, b) => a[1] - b[1])
  return { first, end, rows }
}
