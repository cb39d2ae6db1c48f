import { foldDeviceMatrix, type GridFold } from './grid-fold'

/**
 * Beyond this many devices in all, one SVG element per device makes the view slow to draw and to point at
 * (a strategy may have 2^17): the grid is painted on a canvas instead, one cell per device still.
 */
export const CANVAS_DEVICES = 2048

const MAX_CELL = 20
const MAX_HEIGHT = 640

export function drawsOnCanvas(stageCount: number, stageDevices: number): boolean {
  return stageCount * stageDevices > CANVAS_DEVICES
}

/**
 * Where each device sits on the canvas, in cells, and which device sits in each cell (-1: none, e.g. the gap
 * between tiles). The trailing device axes make a tile, folded as the SVG grid folds them and at most
 * TILE_DEVICES devices; the leading axes repeat the tile, wrapped into a wide rectangle with a cell of gap.
 */
export interface CellIndex {
  rows: number
  cols: number
  /** The tile (leading axes) and the tile's grid (trailing axes), as they are drawn. */
  tiles: number
  tileRows: number
  tileCols: number
  /** Device axes drawn as tiles, as a tile's rows, as its columns. */
  tileAxes: number[]
  rowAxes: number[]
  colAxes: number[]
  cellOfLocal: Int32Array
  localOfCell: Int32Array
}

const TILE_DEVICES = 4096

export function indexCells(devMatrix: readonly number[], devices: number): CellIndex {
  const axes = devMatrix.map((_, axis) => axis).filter((axis) => devMatrix[axis]! > 1)
  const product = (on: number[]) => on.reduce((p, axis) => p * devMatrix[axis]!, 1)
  let split = 0
  while (split < axes.length - 1 && product(axes.slice(split)) > TILE_DEVICES) split++
  const outer = axes.slice(0, split)
  const inner = axes.slice(split)
  const tile = innerGrid(inner.map((axis) => devMatrix[axis]!))
  const tiles = product(outer)
  // Tiles side by side until the whole is about twice as wide as tall.
  const across = Math.min(tiles, Math.max(1, Math.ceil(Math.sqrt((tiles * 2 * tile.rows) / tile.cols))))
  const down = Math.ceil(tiles / across)
  const cols = across * (tile.cols + 1) - 1
  const rows = down * (tile.rows + 1) - 1
  const cellOfLocal = new Int32Array(devices)
  const localOfCell = new Int32Array(rows * cols).fill(-1)
  const coords = new Array<number>(devMatrix.length)
  for (let local = 0; local < devices; local++) {
    let rest = local
    for (let axis = devMatrix.length - 1; axis >= 0; axis--) {
      coords[axis] = rest % devMatrix[axis]!
      rest = Math.floor(rest / devMatrix[axis]!)
    }
    const t = outer.reduce((index, axis) => index * devMatrix[axis]! + coords[axis]!, 0)
    const within = inner.reduce((index, axis) => index * devMatrix[axis]! + coords[axis]!, 0)
    const { row, col } = tile.cellOf(within)
    const cell =
      (Math.floor(t / across) * (tile.rows + 1) + row) * cols + (t % across) * (tile.cols + 1) + col
    cellOfLocal[local] = cell
    localOfCell[cell] = local
  }
  return {
    rows,
    cols,
    tiles,
    tileRows: tile.rows,
    tileCols: tile.cols,
    tileAxes: outer,
    rowAxes: tile.rowAxes.map((i) => inner[i]!),
    colAxes: tile.colAxes.map((i) => inner[i]!),
    cellOfLocal,
    localOfCell
  }
}

/** A tile's grid: the axes folded as the SVG grid folds them; one long axis wrapped into a near square. */
function innerGrid(sizes: number[]): GridFold {
  if (sizes.length === 1 && sizes[0]! > 64) {
    const n = sizes[0]!
    const cols = 2 ** Math.ceil(Math.log2(Math.sqrt(n)))
    return {
      rowAxes: [],
      colAxes: [0],
      rows: Math.ceil(n / cols),
      cols,
      cellOf: (local) => ({ row: Math.floor(local / cols), col: local % cols })
    }
  }
  return foldDeviceMatrix(sizes)
}

/** The side of a cell in CSS pixels: as large as fits the width and a screenful of height, at least 1. */
export function canvasCellSize(rows: number, cols: number, width: number): number {
  const fits = Math.floor(Math.min(width / cols, MAX_HEIGHT / rows))
  return Math.max(1, Math.min(MAX_CELL, fits))
}

/** The local rank under a point of the canvas (CSS pixels from its top left), if any. */
export function localAt(index: CellIndex, cell: number, x: number, y: number): number | undefined {
  const col = Math.floor(x / cell)
  const row = Math.floor(y / cell)
  if (col < 0 || row < 0 || col >= index.cols || row >= index.rows) return undefined
  const local = index.localOfCell[row * index.cols + col]!
  return local < 0 ? undefined : local
}

/** The local rank an arrow key moves to from `local`, over the gaps between tiles, staying on the canvas. */
export function localAfterKey(index: CellIndex, local: number, key: string): number | undefined {
  const steps: Record<string, [number, number]> = {
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1],
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0]
  }
  const step = steps[key]
  if (!step) return undefined
  const cell = index.cellOfLocal[local]!
  let row = Math.floor(cell / index.cols)
  let col = cell % index.cols
  for (;;) {
    row += step[0]
    col += step[1]
    if (row < 0 || col < 0 || row >= index.rows || col >= index.cols) return local
    const next = index.localOfCell[row * index.cols + col]!
    if (next >= 0) return next
  }
}
