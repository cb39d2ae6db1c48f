import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ShardscopeError } from '../../../src-main/engine/errors'
import { looksLikeRankTable, parseRankTable } from '../../../src-main/engine/formats/rank-table/rank-table'
import { RANK_TABLES } from '../../helpers/fixtures'

const fixture = (name: string) => parseRankTable(readFileSync(join(RANK_TABLES, name), 'utf8'), name)

/** [rank, server, device, deviceIp] for every rank, in rank order. */
const ranksOf = (name: string) => fixture(name).ranks.map((r) => [r.rank, r.server, r.device, r.deviceIp])
const serversOf = (name: string) => fixture(name).servers.map((s) => [s.id, s.devices.length])

// The eight NICs of an 8-NPU server as the sample tables write them: 192.{1..4}.x.{a,a+1}.
const nicAddresses = (third: string, last: number) =>
  [1, 2, 3, 4, 1, 2, 3, 4].map((nic, i) => `192.${nic}.${third}.${i < 4 ? last : last + 1}`)

const maskedProblem = (table: { problems: string[] }) => table.problems.find((p) => p.includes('masked'))

describe('parseRankTable on the sample tables in fixtures/rank-tables', () => {
  it('has a test for every fixture', () => {
    expect(readdirSync(RANK_TABLES).sort()).toEqual([
      'docs__rank_table_8pcs.json',
      'docs__rank_table_cross_cluster_16pcs.json',
      'mindspore__cross_2_cluster_rank_table.json',
      'msdocs_rank_table_16pcs.json',
      'serving_matmul_rank_table_8pcs.json'
    ])
  })

  it('reads the single-server 8-device docs table with masked addresses', () => {
    const name = 'docs__rank_table_8pcs.json'
    const table = fixture(name)
    expect([table.version, table.status, table.superPods]).toEqual(['1.0', 'completed', undefined])
    expect(serversOf(name)).toEqual([['10.*.*.*', 8]])
    const ips = nicAddresses('*', 6)
    expect(ranksOf(name)).toEqual(ips.map((ip, rank) => [rank, '10.*.*.*', rank, ip]))
    expect(table.problems).toEqual([
      'docs__rank_table_8pcs.json has 9 masked addresses containing "*" (server_list[0] ("10.*.*.*") server_id "10.*.*.*"; ' +
        'server_list[0] ("10.*.*.*") device_id 0 device_ip "192.1.*.6"; server_list[0] ("10.*.*.*") device_id 1 device_ip "192.2.*.6"; ' +
        "and 6 more); replace them with the cluster's real addresses before using this table."
    ])
  })

  it('reads the 2×8 cross-cluster docs table with server_ip', () => {
    const name = 'docs__rank_table_cross_cluster_16pcs.json'
    const table = fixture(name)
    expect(serversOf(name)).toEqual([
      ['server_0_10.*.*.*', 8],
      ['server_1_10.*.*.*', 8]
    ])
    expect(table.servers.map((s) => s.ip)).toEqual(['10.*.*.*', '10.*.*.*'])
    const ips = [...nicAddresses('*', 6), ...nicAddresses('*', 8)]
    expect(ranksOf(name)).toEqual(
      ips.map((ip, rank) => [rank, `server_${rank < 8 ? 0 : 1}_10.*.*.*`, rank % 8, ip])
    )
    expect(table.problems).toHaveLength(1)
    // Two server_ids, two server_ips and sixteen device_ips; dpu_ip 8.2.17.60 is a real address.
    expect(maskedProblem(table)).toMatch(
      /^docs__rank_table_cross_cluster_16pcs\.json has 20 masked addresses/
    )
  })

  it('reads the MindSpore cross-cluster test table, whose second server holds devices 4-7', () => {
    const name = 'mindspore__cross_2_cluster_rank_table.json'
    const table = fixture(name)
    expect(serversOf(name)).toEqual([
      ['server_0', 4],
      ['server_1', 4]
    ])
    expect(ranksOf(name)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((rank) => [rank, `server_${rank < 4 ? 0 : 1}`, rank, undefined])
    )
    // Empty server_ip, device_ip and super_device_id mean "not given", not a bad value.
    expect(table.servers.map((s) => s.ip)).toEqual([undefined, undefined])
    expect(table.servers.flatMap((s) => s.devices).some((d) => 'superDeviceId' in d)).toBe(false)
    expect(table.problems).toEqual([])
  })

  it('reads the 2×8 MindSpore docs table whose masking made both server ids equal', () => {
    const name = 'msdocs_rank_table_16pcs.json'
    const table = fixture(name)
    expect(serversOf(name)).toEqual([
      ['10.*.*.*', 8],
      ['10.*.*.*', 8]
    ])
    const ips = [...nicAddresses('*', 6), ...nicAddresses('*', 8)]
    expect(ranksOf(name)).toEqual(ips.map((ip, rank) => [rank, '10.*.*.*', rank % 8, ip]))
    expect(table.problems).toEqual([
      'msdocs_rank_table_16pcs.json uses server_id "10.*.*.*" for 2 servers (server_list[0] and server_list[1]); each server needs its own id.',
      expect.stringMatching(/^msdocs_rank_table_16pcs\.json has 18 masked addresses containing "\*"/)
    ])
  })

  it('reads the serving table with real addresses and reports nothing', () => {
    const name = 'serving_matmul_rank_table_8pcs.json'
    const table = fixture(name)
    expect(serversOf(name)).toEqual([['127.0.0.1', 8]])
    const ips = nicAddresses('27', 6)
    expect(ranksOf(name)).toEqual(ips.map((ip, rank) => [rank, '127.0.0.1', rank, ip]))
    expect(table.problems).toEqual([])
  })

  it('recognises every fixture by content', () => {
    for (const name of readdirSync(RANK_TABLES)) {
      expect(looksLikeRankTable(JSON.parse(readFileSync(join(RANK_TABLES, name), 'utf8')))).toBe(true)
    }
  })
})

// Synthesized tables: real addresses, consecutive ranks, so each test adds exactly one thing wrong.
type Json = Record<string, unknown>
const device = (deviceId: number, rank: number, extra: Json = {}): Json => ({
  device_id: String(deviceId),
  device_ip: `192.168.${deviceId}.${rank + 10}`,
  rank_id: String(rank),
  ...extra
})
const server = (id: string, devices: Json[], extra: Json = {}): Json => ({
  server_id: id,
  device: devices,
  ...extra
})
const twoByTwo = () => [
  server('node_0', [device(0, 0), device(1, 1)]),
  server('node_1', [device(0, 2), device(1, 3)])
]
const tableText = (servers: Json[], top: Json = {}) =>
  JSON.stringify({
    version: '1.0',
    server_count: String(servers.length),
    server_list: servers,
    status: 'completed',
    ...top
  })
const problemsOf = (servers: Json[], top: Json = {}) =>
  parseRankTable(tableText(servers, top), 't.json').problems

function errorOf(text: string, file = 't.json'): ShardscopeError {
  try {
    parseRankTable(text, file)
  } catch (err) {
    if (err instanceof ShardscopeError) return err
    throw err
  }
  throw new Error('expected parseRankTable to throw')
}

describe('parseRankTable on v1.2 (super-pod) tables', () => {
  const podServers = () => [
    server('node_0', [device(0, 0, { super_device_id: '0' }), device(1, 1, { super_device_id: '1' })], {
      host_ip: '172.16.0.100'
    }),
    server('node_1', [device(0, 2, { super_device_id: '2' }), device(1, 3, { super_device_id: '3' })], {
      host_ip: '172.16.0.101'
    }),
    server('node_2', [device(0, 4, { super_device_id: '0' }), device(1, 5, { super_device_id: '1' })], {
      host_ip: '172.16.1.100'
    })
  ]
  const pods = (...lists: string[][]) =>
    lists.map((ids, i) => ({ super_pod_id: String(i), server_list: ids.map((id) => ({ server_id: id })) }))
  const v12 = (servers: Json[], superPodList: unknown) =>
    parseRankTable(tableText(servers, { version: '1.2', super_pod_list: superPodList }), 'sp.json')

  it('reads super pods, host addresses and super_device_id', () => {
    const table = v12(podServers(), pods(['node_0', 'node_1'], ['node_2']))
    expect(table.version).toBe('1.2')
    expect(table.superPods).toEqual([
      { id: '0', serverIds: ['node_0', 'node_1'] },
      { id: '1', serverIds: ['node_2'] }
    ])
    expect(table.servers.map((s) => s.hostIp)).toEqual(['172.16.0.100', '172.16.0.101', '172.16.1.100'])
    expect(table.servers[2]!.devices).toEqual([
      { deviceId: 0, rank: 4, deviceIp: '192.168.0.14', superDeviceId: '0' },
      { deviceId: 1, rank: 5, deviceIp: '192.168.1.15', superDeviceId: '1' }
    ])
    expect(table.ranks[5]).toEqual({ rank: 5, server: 'node_2', device: 1, deviceIp: '192.168.1.15' })
    expect(table.problems).toEqual([])
  })

  it('accepts numbers where HCCL writes numeric strings', () => {
    const servers = [server('n', [{ device_id: 0, rank_id: 0, super_device_id: 37748736 }])]
    const table = parseRankTable(
      JSON.stringify({ version: '1.2', server_count: 1, server_list: servers, status: 'completed' }),
      'n.json'
    )
    expect(table.servers[0]!.devices).toEqual([{ deviceId: 0, rank: 0, superDeviceId: '37748736' }])
    expect(table.superPods).toBeUndefined()
    expect(table.problems).toEqual([])
  })

  it('reports servers missing from, unknown to or repeated in super_pod_list', () => {
    const table = v12(podServers(), pods(['node_0', 'node_9'], ['node_0']))
    expect(table.problems).toEqual([
      'sp.json: server "node_0" is listed in super pods "0" and "1"; a server belongs to exactly one super pod.',
      'sp.json: super pod "0" lists server "node_9", which is not in server_list.',
      'sp.json: server_list[1] ("node_1") belongs to no super pod in super_pod_list.',
      'sp.json: server_list[2] ("node_2") belongs to no super pod in super_pod_list.'
    ])
  })

  it('reports devices without super_device_id and repeated ones within a pod', () => {
    const servers = podServers()
    ;(servers[1]!.device as Json[])[0]!.super_device_id = '1'
    delete (servers[2]!.device as Json[])[1]!.super_device_id
    const table = v12(servers, pods(['node_0', 'node_1'], ['node_2']))
    expect(table.problems).toEqual([
      'sp.json has 1 device without super_device_id (server_list[2] ("node_2") device_id 1); every device of a super-pod table needs one.',
      'sp.json: super pod "0" gives super_device_id 1 to 2 devices (server_list[0] ("node_0") device_id 1 and server_list[1] ("node_1") device_id 0); it must be unique within the pod.'
    ])
  })
})

describe('parseRankTable rejects structurally unusable input', () => {
  const cases: [string, string, string][] = [
    ['text that is not JSON', '{"server_list": [', 't.json is not valid JSON ('],
    ['a JSON list', '[]', 't.json: the top level is a list where an object is expected.'],
    [
      'a table without server_list',
      JSON.stringify({ version: '1.0', server_count: '1' }),
      't.json has no server_list, so it is not a rank table.'
    ],
    [
      'the older group_list layout',
      JSON.stringify({ status: 'completed', group_count: '1', group_list: [] }),
      't.json has no server_list, so it is not a rank table (it uses the older group_list layout, which Shardscope does not read).'
    ],
    [
      'server_list that is not a list',
      JSON.stringify({ server_list: { server_id: 'a' } }),
      't.json: the top level has server_list an object where a list is expected.'
    ],
    [
      'a server that is not an object',
      tableText([server('a', [device(0, 0)]), 'node_1' as unknown as Json]),
      't.json: server_list[1] is "node_1" where an object is expected.'
    ],
    [
      'a server without server_id',
      tableText([{ device: [device(0, 0)] }]),
      't.json: server_list[0] has no server_id.'
    ],
    [
      'a server without a device list',
      tableText([{ server_id: 'a' }]),
      't.json: server_list[0] ("a") has no device list.'
    ],
    [
      'a device without rank_id',
      tableText([server('a', [device(0, 0)]), server('b', [{ device_id: '0', device_ip: '192.168.0.1' }])]),
      't.json: server_list[1] ("b"), device[0] has no rank_id.'
    ],
    [
      'a device without device_id',
      tableText([server('a', [device(0, 0), { rank_id: '1' }])]),
      't.json: server_list[0] ("a"), device[1] has no device_id.'
    ],
    [
      'a fractional rank_id',
      tableText([server('a', [device(0, 0), device(1, 1, { rank_id: '1.5' })])]),
      't.json: server_list[0] ("a"), device[1] has rank_id "1.5", which is not a whole number.'
    ],
    [
      'a negative device_id',
      tableText([server('a', [device(0, 0, { device_id: -1 })])]),
      't.json: server_list[0] ("a"), device[0] has device_id -1, which is not a whole number.'
    ],
    [
      'a rank_id of the wrong type',
      tableText([server('a', [device(0, 0, { rank_id: true })])]),
      't.json: server_list[0] ("a"), device[0] has rank_id true, which is not a whole number.'
    ],
    [
      'a device_ip that is not a string',
      tableText([server('a', [device(0, 0, { device_ip: 3232235521 })])]),
      't.json: server_list[0] ("a"), device[0] has device_ip 3232235521 where a string is expected.'
    ],
    [
      'a numeric version',
      tableText(twoByTwo(), { version: 1.2 }),
      't.json: the top level has version 1.2 where a string is expected.'
    ],
    [
      'a server_count in words',
      tableText(twoByTwo(), { server_count: 'two' }),
      't.json: the top level has server_count "two", which is not a whole number.'
    ],
    [
      'a super pod without server_list',
      tableText(twoByTwo(), { version: '1.2', super_pod_list: [{ super_pod_id: '0' }] }),
      't.json: super pod "0" (super_pod_list[0]) has no server_list list.'
    ]
  ]

  it.each(cases)('rejects %s with BAD_INPUT naming the file and the place', (_what, text, message) => {
    const error = errorOf(text)
    expect([error.code, error.file]).toEqual(['BAD_INPUT', 't.json'])
    if (message.endsWith('(')) expect(error.message.startsWith(message)).toBe(true)
    else expect(error.message).toBe(message)
  })

  it('reads a table saved with a byte-order mark', () => {
    expect(parseRankTable(`\uFEFF${tableText(twoByTwo())}`, 't.json').ranks).toHaveLength(4)
  })
})

describe('parseRankTable reports what would break a real cluster', () => {
  it('reports nothing for a sound table', () => {
    expect(problemsOf(twoByTwo())).toEqual([])
  })

  it('names both places of a duplicate rank id', () => {
    const servers = [
      server('node_0', [device(0, 0), device(1, 1)]),
      server('node_1', [device(0, 1), device(1, 2)])
    ]
    expect(problemsOf(servers)).toEqual([
      't.json gives rank 1 to 2 devices: server_list[0] ("node_0") device_id 1 and server_list[1] ("node_1") device_id 0; each rank_id must be unique.',
      't.json has no device with rank 3; with 4 devices the ranks must be 0-3 without gaps.'
    ])
  })

  it('says which ranks are missing and which lie beyond the range', () => {
    const servers = [
      server('node_0', [device(0, 0), device(1, 2), device(2, 6), device(3, 7)]),
      server('node_1', [device(0, 8), device(1, 9), device(2, 10), device(3, 1)])
    ]
    expect(problemsOf(servers)).toEqual([
      't.json has no device with ranks 3-5; with 8 devices the ranks must be 0-7 without gaps (ranks 8-10 lie outside that range).'
    ])
  })

  it('reports a device id listed twice on one server', () => {
    const servers = [server('node_0', [device(0, 0), device(1, 1), device(1, 2)])]
    expect(problemsOf(servers)).toEqual([
      't.json: server_list[0] ("node_0") lists device_id 1 2 times (device[1] and device[2]); each NPU can appear only once per server.'
    ])
  })

  it('reports server_count that disagrees with server_list', () => {
    expect(problemsOf(twoByTwo(), { server_count: '3' })).toEqual([
      't.json declares server_count 3 but server_list has 2 servers.'
    ])
  })

  it('reports masked addresses in every address field, and says to replace them', () => {
    const servers = [
      server('node_0', [device(0, 0, { device_ip: '192.1.*.6' }), device(1, 1)], { server_ip: '10.*.*.*' }),
      server('node_1', [device(0, 2), device(1, 3, { backup_device_ip: '192.*.2.2' })])
    ]
    expect(problemsOf(servers)).toEqual([
      't.json has 3 masked addresses containing "*" (server_list[0] ("node_0") server_ip "10.*.*.*"; ' +
        'server_list[0] ("node_0") device_id 0 device_ip "192.1.*.6"; server_list[1] ("node_1") device_id 1 backup_device_ip "192.*.2.2"); ' +
        "replace them with the cluster's real addresses before using this table."
    ])
  })

  it('reports invalid IPv4 addresses and accepts IPv6', () => {
    const servers = [
      server('node_0', [
        device(0, 0, { device_ip: '192.168.1.300' }),
        device(1, 1, { device_ip: 'fe80::1' })
      ]),
      server('node_1', [device(0, 2), device(1, 3)], { host_ip: '172.16.0' })
    ]
    expect(problemsOf(servers)).toEqual([
      't.json has 2 addresses that are not valid IP addresses (server_list[0] ("node_0") device_id 0 device_ip "192.168.1.300"; ' +
        'server_list[1] ("node_1") host_ip "172.16.0"); HCCL cannot connect to them.'
    ])
  })

  it('reports a status other than completed, or none', () => {
    expect(problemsOf(twoByTwo(), { status: 'initializing' })).toEqual([
      't.json has status "initializing"; HCCL only uses a rank table whose status is "completed".'
    ])
    expect(problemsOf(twoByTwo(), { status: undefined })).toEqual([
      't.json has no status; HCCL only uses a rank table whose status is "completed".'
    ])
  })

  it('reports an unknown or missing version', () => {
    expect(problemsOf(twoByTwo(), { version: '2.0' })).toEqual([
      't.json has version "2.0", which Shardscope does not know (it reads 1.0 and 1.2); fields may be misread.'
    ])
    const unversioned = parseRankTable(tableText(twoByTwo(), { version: undefined }), 't.json')
    expect(unversioned.version).toBe('')
    expect(unversioned.problems).toEqual([
      't.json has no version; HCCL expects "1.0", or "1.2" for super-pod (Atlas A3) clusters.'
    ])
  })

  it('reports a table without devices', () => {
    expect(problemsOf([], { server_count: '0' })).toEqual([
      't.json lists no devices, so it describes no ranks.'
    ])
  })

  it('sorts ranks when the table lists them out of order', () => {
    const servers = [
      server('node_0', [device(0, 3), device(1, 2)]),
      server('node_1', [device(0, 1), device(1, 0)])
    ]
    const table = parseRankTable(tableText(servers), 't.json')
    expect(table.ranks.map((r) => [r.rank, r.server, r.device])).toEqual([
      [0, 'node_1', 1],
      [1, 'node_1', 0],
      [2, 'node_0', 1],
      [3, 'node_0', 0]
    ])
    expect(table.problems).toEqual([])
  })
})

describe('looksLikeRankTable', () => {
  it('accepts a server_list array or a version with server_count', () => {
    expect(looksLikeRankTable({ server_list: [] })).toBe(true)
    expect(looksLikeRankTable({ version: '1.0', server_count: '2' })).toBe(true)
  })

  it('rejects other JSON, including strategy files', () => {
    expect(looksLikeRankTable(null)).toBe(false)
    expect(looksLikeRankTable([{ server_list: [] }])).toBe(false)
    expect(looksLikeRankTable({ server_list: 'a' })).toBe(false)
    expect(looksLikeRankTable({ version: '1.0' })).toBe(false)
    expect(looksLikeRankTable({ current_stage: 0, parallel_layout_item: {} })).toBe(false)
  })
})
