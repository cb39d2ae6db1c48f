import { describe, expect, it } from 'vitest'
import { elideMiddle } from '../../../src-renderer/viz/elide'

const fitsIn = (chars: number) => (text: string) => text.length <= chars

describe('paths shortened in the middle', () => {
  const path = '/data/training/run-2024-07/checkpoints/rank_0/llama2_13b_rank_0-100_5.ckpt'
  it('keeps a path that fits as it is', () => {
    expect(elideMiddle(path, fitsIn(200))).toBe(path)
  })
  it('keeps the file name and as much of the start as fits', () => {
    const short = elideMiddle(path, fitsIn(50))
    expect(short).toBe('/data/training/run-2…/llama2_13b_rank_0-100_5.ckpt')
  })
  it('shortens a file name too long for the room at both ends evenly', () => {
    const short = elideMiddle(path, fitsIn(21))
    expect(short).toBe('/llama2_13…100_5.ckpt')
  })
})
