import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  clusterFromRankTable,
  modelProblems,
  parseHostfile,
  rankPlaces
} from '../../../src-main/engine/cluster/cluster-model'
import {
  parseClusterProfile,
  profileProblems,
  serverAccess,
  withTrustedKey
} from '../../../src-main/engine/cluster/cluster-profile'
import { launchHelp } from '../../../src-main/engine/cluster/launch-commands'
import { serverFileSets } from '../../../src-main/engine/cluster/server-files'
import { parseRankTable } from '../../../src-main/engine/formats/rank-table/rank-table'
import { RANK_TABLES } from '../../helpers/fixtures'

// MindSpore's documented 2 × 8 table, its masked server ids replaced by two real addresses.
const table16 = () => {
  let server = 0
  const text = readFileSync(join(RANK_TABLES, 'msdocs_rank_table_16pcs.json'), 'utf8')
    .replace(/"server_id": "10\.\*\.\*\.\*"/g, () => `"server_id": "10.0.0.${++server}"`)
    .replace(/\*/g, '1')
  return parseRankTable(text, 'rank_table_16pcs.json')
}

describe('cluster model', () => {
  it('places ranks 0-7 on server 0 and 8-15 on server 1 from a 2 × 8 rank table', () => {
    const model = clusterFromRankTable(table16())
    expect(model.servers).toHaveLength(2)
    const places = rankPlaces(model)
    expect(places.get(5)).toMatchObject({ deviceId: 5 })
    expect(places.get(12)).toMatchObject({ deviceId: 4 })
    expect(model.servers[1]!.devices.map((d) => d.rank)).toEqual([8, 9, 10, 11, 12, 13, 14, 15])
  })

  it('reads an MPI hostfile in order, and says what is wrong with a bad line', () => {
    const model = parseHostfile('# two nodes\nnode-a slots=4\nnode-b slots=2 max_slots=2\n', 'hosts')
    expect(model.servers.map((s) => [s.id, s.devices.map((d) => `${d.rank}@${d.deviceId}`)])).toEqual([
      ['node-a', ['0@0', '1@1', '2@2', '3@3']],
      ['node-b', ['4@0', '5@1']]
    ])
    expect(() => parseHostfile('node-a cpus=4\n', 'hosts')).toThrow('hosts: line 1 has "cpus=4"')
    expect(() => parseHostfile('a slots=2\na slots=2\n', 'hosts')).toThrow('host a is listed twice')
    expect(() => parseHostfile('\n# nothing\n', 'hosts')).toThrow('lists no hosts')
  })

  it('says which destination ranks have no server and which devices are listed twice', () => {
    const model = parseHostfile('a slots=2\n', 'hosts')
    expect(modelProblems(model, [0, 1, 2, 3])[0]).toContain('no server for destination ranks 2, 3')
    model.servers[0]!.devices[1]!.deviceId = 0
    expect(modelProblems(model, [0, 1]).join(' ')).toContain('lists NPU 0 for 2 ranks (0, 1)')
  })

  it('gives every server only its own rank folders, plus the shared strategy', () => {
    const model = clusterFromRankTable(table16())
    const outputs = Array.from({ length: 16 }, (_, rank) => ({
      rank,
      relativePath: `rank_${rank}/checkpoint_${rank}.ckpt`,
      size: 100 + rank,
      hashes: {}
    }))
    const sets = serverFileSets(model, outputs, [
      { localPath: '/x/s.ckpt', relativePath: 'strategy/s.ckpt', size: 7 }
    ])
    expect(sets[0]!.ranks).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(sets[1]!.files.map((f) => f.relativePath)).toContain('rank_15/checkpoint_15.ckpt')
    expect(sets[1]!.files.map((f) => f.relativePath)).not.toContain('rank_7/checkpoint_7.ckpt')
    expect(sets[1]!.files.at(-1)!.relativePath).toBe('strategy/s.ckpt')
    expect(sets[0]!.bytes).toBe([0, 1, 2, 3, 4, 5, 6, 7].reduce((s, r) => s + 100 + r, 0) + 7)
  })
})

describe('cluster profile', () => {
  const profileText = JSON.stringify({
    format: 'shardscope-cluster',
    version: 1,
    defaults: { user: 'root', identityFile: '/keys/id', remoteRoot: '/data' },
    servers: { a: { host: '10.0.0.1' }, b: { port: 2222 } }
  })

  it('fills defaults per server and names servers that cannot be reached', () => {
    const profile = parseClusterProfile(profileText, 'cluster.json')
    expect(serverAccess(profile, 'a')).toMatchObject({
      host: '10.0.0.1',
      port: 22,
      user: 'root',
      remoteRoot: '/data'
    })
    const model = parseHostfile('a slots=1\nb slots=1\n', 'hosts')
    expect(profileProblems(profile, model, ['a', 'b'])).toEqual([
      'Server b has no SSH address (host) in the cluster profile.'
    ])
  })

  it('refuses unknown settings, passwords and malformed fingerprints', () => {
    const bad = (servers: unknown) => () =>
      parseClusterProfile(JSON.stringify({ format: 'shardscope-cluster', version: 1, servers }), 'c.json')
    expect(bad({ a: { password: 'x' } })).toThrow('servers["a"].password is not a known setting')
    expect(bad({ a: { hostKey: 'MD5:aa' } })).toThrow('must be a SHA256 fingerprint')
    expect(bad({ a: { remoteRoot: 'data' } })).toThrow('must be an absolute path')
  })

  it('pins a trusted key without touching other servers', () => {
    const profile = parseClusterProfile(profileText, 'cluster.json')
    const key = 'SHA256:' + 'A'.repeat(43)
    const trusted = withTrustedKey(profile, 'a', key)
    expect(trusted.servers.a!.hostKey).toBe(key)
    expect(trusted.servers.b!.hostKey).toBeUndefined()
    expect(() => withTrustedKey(profile, 'a', 'nope')).toThrow('not a SHA256 host-key fingerprint')
  })
})

describe('launch help', () => {
  it('prints one msrun line per server with node_rank in rank order', () => {
    const model = clusterFromRankTable(table16())
    const help = launchHelp(
      model,
      Array.from({ length: 16 }, (_, r) => r),
      {
        masterAddr: '10.0.0.1',
        masterPort: 8118,
        remoteFolder: '/data/llama',
        strategyPath: '/data/llama/strategy/dst.ckpt'
      }
    )
    expect(help.commands.map((c) => c.msrun)).toEqual([
      'msrun --worker_num=16 --local_worker_num=8 --master_addr=10.0.0.1 --master_port=8118 --node_rank=0 --log_dir=msrun_log --join=True run_mindformer.py --config <your yaml>',
      'msrun --worker_num=16 --local_worker_num=8 --master_addr=10.0.0.1 --master_port=8118 --node_rank=1 --log_dir=msrun_log --join=True run_mindformer.py --config <your yaml>'
    ])
    expect(help.mindformers).toContain('auto_trans_ckpt: False')
    expect(help.mindformers).toContain('load_checkpoint: "/data/llama"')
  })
})
