import { describe, expect, it } from 'vitest'
import { toShardLayout } from '../../../src-main/engine/layout/shard-layout'
import { ShardLayoutCache } from '../../../src-main/engine/layout/shard-layout-cache'
import { paramLayout } from '../../helpers/strategy-builders'

const where = 'source strategy s.ckpt'

describe('ShardLayoutCache', () => {
  it('resolves as toShardLayout does, and gives layouts that resolve alike one key whatever their form', () => {
    const cache = new ShardLayoutCache()
    const flat = paramLayout([4, 2], [0, -1], { name: 'a', optShardSize: 4, optShardStep: 2 })
    const nested = paramLayout([4, 2], [[0], []], { name: 'b', optShardSize: -1, optShardStep: 2 })
    const a = cache.resolve(flat, 2, { param: 'a', where })
    const b = cache.resolve(nested, 2, { param: 'b', where })
    expect(a.layout).toEqual(toShardLayout(flat, 2, { param: 'a', where }))
    expect(b.layout).toEqual(a.layout)
    expect(b.key).toBe(a.key)
    const other = cache.resolve(paramLayout([4, 2], [-1, 0], { name: 'c' }), 2, { param: 'c', where })
    expect(other.key).not.toBe(a.key)
  })

  it('refuses a bad layout again for every parameter that has it, naming that parameter', () => {
    const cache = new ShardLayoutCache()
    const bad = (name: string) => paramLayout([2, 2], [0, 0], { name })
    expect(() => cache.resolve(bad('first'), 2, { param: 'first', where })).toThrowError(
      expect.objectContaining({ code: 'INVALID_LAYOUT', param: 'first' })
    )
    expect(() => cache.resolve(bad('second'), 2, { param: 'second', where })).toThrowError(
      expect.objectContaining({ code: 'INVALID_LAYOUT', param: 'second' })
    )
  })

  it('tells tensors of different ranks apart', () => {
    const cache = new ShardLayoutCache()
    const layout = paramLayout([2], [-1], { name: 'x' })
    expect(cache.resolve(layout, 1, { param: 'x', where }).layout.dimAxes).toHaveLength(1)
    expect(() => cache.resolve(layout, 2, { param: 'x', where })).toThrowError(/2 dimensions/)
  })
})
