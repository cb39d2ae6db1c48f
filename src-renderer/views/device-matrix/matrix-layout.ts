import { cellOffsets, type GridFold } from './grid-fold'

const GAP = 4
const SEPARATOR = 8
const MIN_CELL = 28
const MAX_CELL = 88
/** Tall matrices shrink their cells so a stage fits on screen without scrolling. */
const MAX_GRID_HEIGHT = 520
const TICK_ROW = 15
const TICK_COLUMN = 46
/** Title and status lines above each stage's grid. */
const BLOCK_TITLE = 40
/** Wide enough for "Stage 12  ranks 96–103" and "not in this stage". */
const MIN_BLOCK_WIDTH = 176
const BLOCK_PADDING = 12
const BLOCK_GAP = 20

export interface MatrixLayout {
  cell: number
  colX: number[]
  rowY: number[]
  /** Where the grid starts inside a stage block. */
  gridX: number
  gridY: number
  blockWidth: number
  blockHeight: number
  blockGap: number
  blocksPerLine: number
  tickRow: number
  tickColumn: number
  padding: number
}

/** Sizes every stage block alike and fits as many side by side as the width allows (cells shrink first). */
export function layoutMatrix(
  fold: GridFold,
  devMatrix: readonly number[],
  stages: number,
  width: number
): MatrixLayout {
  const rowSizes = fold.rowAxes.map((a) => devMatrix[a]!)
  const colSizes = fold.colAxes.map((a) => devMatrix[a]!)
  const gridX = BLOCK_PADDING + rowSizes.length * TICK_COLUMN
  const gridY = BLOCK_TITLE + BLOCK_PADDING + colSizes.length * TICK_ROW
  const fixedWidth = (cell: number) =>
    Math.max(
      MIN_BLOCK_WIDTH,
      cellOffsets(colSizes, cell, GAP, SEPARATOR).at(-1)! + cell + gridX + BLOCK_PADDING
    )
  const perStage = (width - BLOCK_GAP * (stages - 1)) / stages
  let cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(MAX_GRID_HEIGHT / fold.rows) - GAP))
  while (cell > MIN_CELL && fixedWidth(cell) > perStage) cell--
  const colX = cellOffsets(colSizes, cell, GAP, SEPARATOR)
  const rowY = cellOffsets(rowSizes, cell, GAP, SEPARATOR)
  const blockWidth = fixedWidth(cell)
  const blockHeight = gridY + rowY.at(-1)! + cell + BLOCK_PADDING
  const blocksPerLine = Math.max(
    1,
    Math.min(stages, Math.floor((width + BLOCK_GAP) / (blockWidth + BLOCK_GAP)))
  )
  return {
    cell,
    colX,
    rowY,
    gridX,
    gridY,
    blockWidth,
    blockHeight,
    blockGap: BLOCK_GAP,
    blocksPerLine,
    tickRow: TICK_ROW,
    tickColumn: TICK_COLUMN,
    padding: BLOCK_PADDING
  }
}
