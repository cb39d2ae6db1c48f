import { describe, expect, it } from 'vitest'
import { rowWindow, STEP } from '../../../src-renderer/views/strategy/row-window'

const slotsOf = (step: number, rows = 20_000, inRowOrder = false) =>
  new Map(rowWindow(step, 700, rows, inRowOrder).rows)

describe('the explorer’s row window', () => {
  it('keeps every row that stays in view in its slot, and gives rows scrolled in the slots of rows scrolled out', () => {
    for (const step of [0, 1, 2, 50, 700]) {
      const before = slotsOf(step)
      const after = slotsOf(step + 1)
      for (const [row, slot] of after)
        if (before.has(row)) expect([row, slot]).toEqual([row, before.get(row)])
      const freed = [...before].filter(([row]) => !after.has(row)).map(([, slot]) => slot)
      const taken = [...after].filter(([row]) => !before.has(row)).map(([, slot]) => slot)
      expect(taken.sort()).toEqual(freed.sort())
      expect(new Set(after.values()).size).toBe(after.size)
    }
  })

  it('covers the viewport with rows to spare on both sides, and as many rows at the ends', () => {
    const { first, end } = rowWindow(10, 700, 20_000, true)
    expect(first).toBeLessThan(10 * STEP)
    expect(end).toBeGreaterThan(10 * STEP + STEP + 700 / 28)
    expect(rowWindow(0, 700, 20_000, true).rows).toHaveLength(end - first)
    expect(rowWindow(20_000 / STEP, 700, 20_000, true)).toMatchObject({ end: 20_000 })
    expect(rowWindow(20_000 / STEP, 700, 20_000, true).rows).toHaveLength(end - first)
    expect(rowWindow(3, 700, 5, true).rows.map(([row]) => row)).toEqual([0, 1, 2, 3, 4])
  })

  it('lists rows top to bottom at rest and in slot order while scrolling', () => {
    const resting = rowWindow(37, 700, 20_000, true).rows.map(([row]) => row)
    expect(resting).toEqual([...resting].sort((a, b) => a - b))
    const scrolling = rowWindow(37, 700, 20_000, false).rows.map(([, slot]) => slot)
    expect(scrolling).toEqual([...scrolling].sort((a, b) => a - b))
    expect(new Set(resting)).toEqual(new Set(rowWindow(37, 700, 20_000, false).rows.map(([row]) => row)))
  })
})
