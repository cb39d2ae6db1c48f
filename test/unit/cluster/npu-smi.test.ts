import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseHostfile } from '../../../src-main/engine/cluster/cluster-model'
import { fitCheck, probedNpus, type ServerProbe } from '../../../src-main/engine/cluster/npu-fit'
import { parseNpuList, parseNpuMapping, parseNpuUsage } from '../../../src-main/engine/cluster/npu-smi'

const FIXTURES = join(__dirname, '../../fixtures/npu-smi')
const read = (model: string, name: string) => readFileSync(join(FIXTURES, model, name), 'utf8')

function probe(model: string) {
  const chips = parseNpuMapping(read(model, 'info-m.txt'))
  const usages = new Map(
    chips
      .filter((c) => c.logicId !== undefined)
      .map((c) => [`${c.npuId}:${c.chipId}`, parseNpuUsage(read(model, `usages-${c.npuId}-${c.chipId}.txt`))])
  )
  return probedNpus(chips, usages)
}

describe('npu-smi layouts', () => {
  it('910: 8 cards, HBM preferred over the DDR printed beside it', () => {
    expect(parseNpuList(read('910', 'info-l.txt')).map((c) => c.npuId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    const npus = probe('910')
    expect(npus).toHaveLength(8)
    expect(npus[5]).toEqual({
      deviceId: 5,
      name: 'Ascend 910A',
      memoryKind: 'HBM',
      totalBytes: 32 * 2 ** 30,
      usedBytes: Math.round(32768 * 0.48) * 2 ** 20
    })
  })

  it('910B: 64 GiB of HBM, the zero DDR ignored', () => {
    const npus = probe('910b')
    expect(npus.map((n) => n.memoryKind)).toEqual(Array(8).fill('HBM'))
    expect(npus[0]!.totalBytes).toBe(64 * 2 ** 30)
  })

  it('310P: two chips per card, MCU rows skipped, DDR as the memory', () => {
    expect(parseNpuList(read('310p', 'info-l.txt'))).toEqual([
      { npuId: 0, productName: 'Atlas 300I Duo', chipCount: 2 },
      { npuId: 1, productName: 'Atlas 300I Duo', chipCount: 2 }
    ])
    const chips = parseNpuMapping(read('310p', 'info-m.txt'))
    expect(chips.filter((c) => c.logicId === undefined).map((c) => c.name)).toEqual(['Mcu', 'Mcu'])
    const npus = probe('310p')
    expect(npus.map((n) => [n.deviceId, n.memoryKind, n.totalBytes / 2 ** 20])).toEqual([
      [0, 'DDR', 21534],
      [1, 'DDR', 21534],
      [2, 'DDR', 21534],
      [3, 'DDR', 21534]
    ])
  })

  it('tolerates noise: unknown lines, CRLF, missing values', () => {
    expect(parseNpuUsage('garbage\r\n\tHBM Capacity(MB) : 100\r\n\tHBM Usage Rate(%) : NA\r\n')).toEqual({
      memoryKind: 'HBM',
      capacityMiB: 100
    })
    expect(parseNpuUsage('nothing useful')).toBeUndefined()
    expect(parseNpuMapping('Error: no device\n')).toEqual([])
  })
})

describe('fit check', () => {
  it('says how big each shard is against its NPU, and which do not fit', () => {
    const model = parseHostfile('node-0 slots=8\nnode-1 slots=8\n', 'hosts')
    const npus = probe('910b')
    const probes: ServerProbe[] = [
      { server: 'node-0', status: 'ok', via: 'npu-smi', npus },
      { server: 'node-1', status: 'no-npu-smi', message: 'npu-smi is not installed' }
    ]
    const shards = new Map([
      [5, 21.3 * 2 ** 30],
      [6, 70 * 2 ** 30],
      [9, 1024]
    ])
    const fits = fitCheck(model, shards, probes)
    expect(fits[0]!.message).toBe('rank 5: 21.3 GiB shard, NPU 5 on node-0 has 64.0 GiB, 41.0 GiB free')
    expect(fits[0]!.status).toBe('fits')
    expect(fits[1]!.status).toBe('too-big')
    expect(fits[2]).toMatchObject({ status: 'unknown', server: 'node-1' })
    expect(fits[2]!.message).toContain('npu-smi is not installed')
  })
})
