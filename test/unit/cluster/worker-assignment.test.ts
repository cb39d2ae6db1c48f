import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseHostfile } from '../../../src-main/engine/cluster/cluster-model'
import { findOwnServer } from '../../../src-main/engine/cluster/own-server'
import {
  balancedAssignment,
  listRanks,
  rankTableAssignment,
  sameAssignment,
  summarizeShares
} from '../../../src-main/engine/cluster/worker-assignment'

const loads = (bytes: number[]) =>
  bytes.map((b, rank) => ({ rank, bytesWritten: b, sourceRanks: [rank % 3] }))

describe('balanced assignment', () => {
  it('deals the largest ranks first to the least loaded worker, the same way every time', () => {
    const a = balancedAssignment(loads([10, 50, 20, 40, 30, 30]), 3)
    expect(a.shares.map((s) => s.ranks)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5]
    ])
    expect(summarizeShares(a, loads([10, 50, 20, 40, 30, 30])).map((s) => s.bytesWritten)).toEqual([
      60, 60, 60
    ])
    expect(sameAssignment(a, balancedAssignment(loads([10, 50, 20, 40, 30, 30]), 3))).toBe(true)
  })

  it('gives every rank to exactly one worker, and no worker more than the lightest plus the largest rank', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 0, maxLength: 64 }),
        fc.integer({ min: 1, max: 9 }),
        (bytes, count) => {
          const shares = summarizeShares(balancedAssignment(loads(bytes), count), loads(bytes))
          const all = shares.flatMap((s) => s.ranks).sort((a, b) => a - b)
          expect(all).toEqual(bytes.map((_, r) => r))
          const totals = shares.map((s) => s.bytesWritten)
          expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(Math.max(0, ...bytes))
        }
      )
    )
  })

  it('lets workers with nothing to do exist (more workers than ranks), and refuses a silly count', () => {
    expect(balancedAssignment(loads([5]), 3).shares.map((s) => s.ranks)).toEqual([[0], [], []])
    expect(() => balancedAssignment(loads([5]), 0)).toThrow(/--workers must be a whole number from 1/)
  })

  it('lists the union of source ranks each share reads, for staging', () => {
    const a = balancedAssignment(loads([1, 1, 1, 1]), 2)
    expect(summarizeShares(a, loads([1, 1, 1, 1])).map((s) => s.sourceRanks)).toEqual([
      [0, 2],
      [0, 1]
    ])
  })
})

describe('rank-table assignment', () => {
  const model = parseHostfile('node-b slots=2\nnode-a slots=2\nnode-c slots=4\n', 'hosts')

  it('gives one worker per server that loads destination ranks, in launch order', () => {
    const a = rankTableAssignment(model, [0, 1, 2, 3], 2)
    expect(a).toMatchObject({ basis: 'rank-table', layout: 'hosts' })
    expect(a.shares).toEqual([
      { index: 0, ranks: [0, 1], server: 'node-b' },
      { index: 1, ranks: [2, 3], server: 'node-a' }
    ])
  })

  it('says how many workers a table needs, and which ranks no server places', () => {
    expect(() => rankTableAssignment(model, [0, 1, 2, 3], 4)).toThrow(
      /sit on 2 servers in hosts, so a run that follows it has 2 workers .* not 4/
    )
    expect(() => rankTableAssignment(model, [0, 9, 10], 1)).toThrow(/no server for destination ranks 9, 10/)
  })

  it('finds the server a worker runs on by host name, short name, address or profile host, and refuses guessing', () => {
    const table = parseHostfile('node-0 slots=1\n10.0.0.7 slots=1\n', 'hosts')
    expect(findOwnServer(table, { hostname: 'NODE-0.cluster.local', addresses: [] }).id).toBe('node-0')
    expect(findOwnServer(table, { hostname: 'elsewhere', addresses: ['10.0.0.7'] }).id).toBe('10.0.0.7')
    const profile = {
      format: 'shardscope-cluster' as const,
      version: 1 as const,
      servers: { 'node-0': { host: '192.168.9.9' } }
    }
    expect(findOwnServer(table, { hostname: 'x', addresses: ['192.168.9.9'] }, profile).id).toBe('node-0')
    expect(() => findOwnServer(table, { hostname: 'login', addresses: ['10.0.0.8'] })).toThrow(
      /hosts has no server that is this host \(login; addresses 10\.0\.0\.8\): it lists node-0, 10\.0\.0\.7/
    )
    expect(() => findOwnServer(table, { hostname: 'node-0', addresses: ['10.0.0.7'] })).toThrow(
      /2 servers that could be this host/
    )
    // An address never matches another address by its first octets.
    expect(() => findOwnServer(table, { hostname: 'q', addresses: ['10.0.0.70'] })).toThrow(/no server/)
  })
})

it('writes rank lists as ranges', () => {
  expect(listRanks([5, 0, 1, 2, 3, 7, 8])).toBe('0-3, 5, 7, 8')
  expect(listRanks([])).toBe('none')
})
