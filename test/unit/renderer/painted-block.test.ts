import { describe, expect, it } from 'vitest'
import { blockAt, type PaintedBlock } from '../../../src-renderer/views/tensor-layout/painted-block'

const block = (x: number, y: number, w: number, h: number, name: string): PaintedBlock<{ key: string }> => ({
  rect: { x, y, w, h },
  fill: '#fff',
  stroke: '#000',
  target: { key: name }
})

describe('finding the painted block under the pointer', () => {
  const blocks = [block(0, 0, 10, 10, 'a'), block(10, 0, 10, 10, 'b'), block(0, 10, 0.3, 0.3, 'thin')]
  it('finds the block whose rectangle holds the point, edges to the right and below excluded', () => {
    expect(blockAt(blocks, 5, 5)?.target).toEqual({ key: 'a' })
    expect(blockAt(blocks, 10, 5)?.target).toEqual({ key: 'b' })
    expect(blockAt(blocks, 25, 5)).toBeUndefined()
  })
  it('gives blocks thinner than a pixel a pixel, as they are painted', () => {
    expect(blockAt(blocks, 0.9, 10.9)?.target).toEqual({ key: 'thin' })
  })
})
