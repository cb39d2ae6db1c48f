import { describe, expect, it } from 'vitest'
import {
  canvasCellSize,
  drawsOnCanvas,
  indexCells,
  localAfterKey,
  localAt
} from '../../../src-renderer/views/device-matrix/canvas-grid'

describe('the canvas device grid', () => {
  it('is used beyond a few thousand devices in all', () => {
    expect(drawsOnCanvas(1, 2048)).toBe(false)
    expect(drawsOnCanvas(2, 2048)).toBe(true)
    expect(drawsOnCanvas(1, 1 << 17)).toBe(true)
  })

  it('places every one of 2^17 devices in its own cell, tiles over the leading axis', () => {
    const index = indexCells([32, 64, 64], 1 << 17)
    expect([index.tiles, index.tileRows, index.tileCols]).toEqual([32, 64, 64])
    expect([index.tileAxes, index.rowAxes, index.colAxes]).toEqual([[0], [1], [2]])
    const cells = new Set(index.cellOfLocal)
    expect(cells.size).toBe(1 << 17)
    for (let local = 0; local < 1 << 17; local += 997)
      expect(index.localOfCell[index.cellOfLocal[local]!]).toBe(local)
    // Rank 4096 is the next tile's first device: one tile and one cell of gap to the right.
    expect(index.cellOfLocal[4096]).toBe(65)
  })

  it('wraps one long axis into a near square', () => {
    const index = indexCells([1, 1 << 17], 1 << 17)
    expect([index.rows, index.cols]).toEqual([256, 512])
    expect(new Set(index.cellOfLocal).size).toBe(1 << 17)
  })

  it('finds the device under the pointer and moves with the arrow keys over the gaps', () => {
    const index = indexCells([4, 64, 64], 4 * 4096)
    const cell = canvasCellSize(index.rows, index.cols, 1000)
    expect(cell).toBeGreaterThanOrEqual(1)
    expect(localAt(index, cell, 0.5 * cell, 0.5 * cell)).toBe(0)
    expect(localAt(index, cell, 64.5 * cell, 0.5 * cell)).toBeUndefined()
    expect(localAt(index, cell, 65.5 * cell, 0.5 * cell)).toBe(4096)
    expect(localAfterKey(index, 63, 'ArrowRight')).toBe(4096)
    expect(localAfterKey(index, 0, 'ArrowLeft')).toBe(0)
    expect(localAfterKey(index, 0, 'ArrowDown')).toBe(64)
    expect(localAfterKey(index, 0, 'Tab')).toBeUndefined()
  })
})
