import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClusterProfile } from '../../src-main/engine/cluster/cluster-profile'
import { loadAddon } from '../../src-main/engine/exec/native-addon'
import { readClusterLayout } from '../../src-main/services/cluster/cluster-files'
import { probeCluster } from '../../src-main/services/cluster/probe'
import { cli } from '../helpers/cli'
import { compileStubLibrary } from '../helpers/npu-stubs'

const addon = loadAddon(['probeNpus'])
const SKIP_NOTE =
  'error' in addon ? ' [skipped: native addon not built; run node scripts/build-native.mjs]' : ''
const GiB = 2 ** 30

let dir: string
let library: string
let empty: string
let profilePath: string
let tablePath: string
const savedHome = process.env.ASCEND_HOME_PATH

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sscl-local-npus-'))
  library = join(dir, 'lib')
  empty = join(dir, 'no-cann')
  mkdirSync(empty)
  compileStubLibrary('dcmi', library)
  // Nothing else on this machine may answer for a driver: the search starts and ends in these folders.
  process.env.ASCEND_HOME_PATH = empty
  // One server, this machine by its address, whose SSH port nobody listens on: only the driver can answer.
  tablePath = join(dir, 'rank_table.json')
  writeFileSync(
    tablePath,
    JSON.stringify({
      version: '1.0',
      server_count: '1',
      server_list: [
        {
          server_id: '127.0.0.1',
          device: [0, 1].map((d) => ({
            device_id: String(d),
            device_ip: `192.168.0.${d + 1}`,
            rank_id: String(d)
          }))
        }
      ],
      status: 'completed'
    })
  )
  const profile: ClusterProfile = {
    format: 'shardscope-cluster',
    version: 1,
    defaults: { user: 'root' },
    servers: { '127.0.0.1': { host: '127.0.0.1', port: 1, remoteRoot: '/tmp' } }
  }
  profilePath = join(dir, 'cluster.json')
  writeFileSync(profilePath, JSON.stringify(profile))
})

afterAll(() => {
  if (savedHome === undefined) delete process.env.ASCEND_HOME_PATH
  else process.env.ASCEND_HOME_PATH = savedHome
  rmSync(dir, { recursive: true, force: true })
})

describe(`this machine's NPUs in probe, from its driver${SKIP_NOTE}`, () => {
  it.skipIf('error' in addon)(
    "probe --local lists the driver's NPUs by logic id, with HBM total and used",
    async () => {
      const { code, stdout } = await cli('probe', '--local', '--npu-library-path', library, '--json')
      expect(code).toBe(0)
      const { local } = JSON.parse(stdout)
      expect(local).toMatchObject({ status: 'ok', via: 'local', source: 'dcmi' })
      expect(local.npus.map((n: { deviceId: number }) => n.deviceId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
      expect(local.npus[0]).toMatchObject({ name: 'Ascend910B3', memoryKind: 'HBM', totalBytes: 64 * GiB })

      const text = await cli('probe', '--local', '--npu-library-path', library)
      expect(text.stdout).toMatch(
        /^this machine: 8 NPUs \(driver, libdcmi\.so\)\n {2}NPU 0 {2}Ascend910B3 {2}64\.0 GiB HBM/
      )
    }
  )

  it('probe --local says why when there is no driver, and exits 1', async () => {
    const { code, stdout } = await cli('probe', '--local', '--npu-library-path', empty)
    expect(code).toBe(1)
    expect(stdout).toMatch(/^this machine: \S.*\n$/)
    expect(stdout).not.toMatch(/NPU 0/)
  })

  it.skipIf('error' in addon)(
    'a rank-table server that is this machine is probed through the driver, not over SSH',
    async () => {
      const model = await readClusterLayout(tablePath)
      const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as ClusterProfile
      const local = await probeCluster(model, profile, { local: { libraryPath: library } })
      expect(local.probes).toHaveLength(1)
      expect(local.probes[0]).toMatchObject({ server: '127.0.0.1', status: 'ok', via: 'local' })
      expect((local.probes[0] as { npus?: unknown[] }).npus).toHaveLength(8)
      expect(local.local?.status).toBe('ok')

      // Not asked: the same server over SSH, where nothing listens.
      const remote = await probeCluster(model, profile, { local: false })
      expect(remote.probes[0]).toMatchObject({ server: '127.0.0.1', status: 'failed' })
      expect(remote.local).toBeUndefined()

      // The CLI's fit check sees the driver's NPUs as the server's.
      const { code, stdout } = await cli(
        'probe',
        '--rank-table',
        tablePath,
        '--cluster',
        profilePath,
        '--local',
        '--npu-library-path',
        library
      )
      expect(code).toBe(0)
      expect(stdout).toContain('127.0.0.1: 8 NPUs (this machine, driver)')
    }
  )
})
