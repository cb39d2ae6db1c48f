import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../src-main/engine/exec/native-addon'
import { probeLocalNpus, type LocalNpuDevice } from '../../src-main/services/npu-local-probe'
import { compileStubLibrary } from '../helpers/npu-stubs'

const addon = loadAddon(['probeNpus'])
const SKIP_NOTE =
  'error' in addon ? ' [skipped: native addon not built; run node scripts/build-native.mjs]' : ''
const MiB = 2 ** 20
const GiB = 2 ** 30

// What the stubs in test/helpers/npu-stubs report.
const DCMI_DEVICES: LocalNpuDevice[] = Array.from({ length: 8 }, (_, card) => ({
  id: 7 - card,
  logicId: card,
  name: 'Ascend910B3',
  hbmTotalBytes: 65536 * MiB,
  hbmUsedBytes: (2917 + 1024 * card) * MiB
}))
const ACL_DEVICES: LocalNpuDevice[] = Array.from({ length: 8 }, (_, device) => ({
  id: device,
  logicId: device,
  name: 'Ascend910B3',
  hbmTotalBytes: 64 * GiB,
  hbmUsedBytes: 3 * GiB + device * (GiB / 2)
}))

let root: string
/** Library directories: each holds the stubs one scenario needs. */
const dirs = {
  both: '',
  dcmi: '',
  acl: '',
  empty: '',
  noLogicId: '',
  oldCardList: '',
  toolkit: '',
  install: ''
}

/** An environment with no CANN install in it, plus the stub behaviour variables of one test. */
function stubEnv(behaviour: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...behaviour, ASCEND_HOME_PATH: dirs.empty }
  delete env.ASCEND_TOOLKIT_HOME
  delete env.LD_LIBRARY_PATH
  return env
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.skipIf('error' in addon)(`probeLocalNpus with stub driver libraries${SKIP_NOTE}`, () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'shardscope-npu-stubs-'))
    for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[name] = join(root, name)
    compileStubLibrary('dcmi', dirs.both)
    compileStubLibrary('acl', dirs.both)
    compileStubLibrary('dcmi', dirs.dcmi)
    compileStubLibrary('acl', dirs.acl)
    compileStubLibrary('dcmi', dirs.noLogicId, ['STUB_WITHOUT_LOGIC_ID'])
    compileStubLibrary('dcmi', dirs.oldCardList, ['STUB_ONLY_OLD_CARD_LIST'])
    // A CANN toolkit laid out as the installer does: <home>/lib64/libascendcl.so.
    compileStubLibrary('acl', join(dirs.toolkit, 'lib64'))
    // A whole install root: the driver's libdcmi.so beside <root>/ascend-toolkit/latest.
    compileStubLibrary('dcmi', join(dirs.install, 'driver/lib64/driver'))
    mkdirSync(join(dirs.install, 'ascend-toolkit/latest/lib64'), { recursive: true })
    mkdirSync(dirs.empty)
  }, 120_000)
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('reports every device with HBM total and used from libdcmi.so', async () => {
    const probe = await probeLocalNpus({ libraryPath: dirs.both, env: stubEnv() })
    expect(probe).toEqual({ available: true, source: 'dcmi', devices: DCMI_DEVICES })
  })

  it('falls back to libascendcl.so when there is no libdcmi.so', async () => {
    const probe = await probeLocalNpus({ libraryPath: dirs.acl, env: stubEnv() })
    expect(probe).toEqual({ available: true, source: 'acl', devices: ACL_DEVICES })
  })

  it('falls back to libascendcl.so when a DCMI call fails', async () => {
    const env = stubEnv({ STUB_FAIL: 'dcmi_init', STUB_FAIL_CODE: '-8002' })
    const probe = await probeLocalNpus({ libraryPath: dirs.both, env })
    expect(probe).toEqual({ available: true, source: 'acl', devices: ACL_DEVICES })
  })

  it('finds libascendcl.so under ASCEND_HOME_PATH without a library path', async () => {
    const probe = await probeLocalNpus({ env: { ...stubEnv(), ASCEND_HOME_PATH: dirs.toolkit } })
    expect(probe).toEqual({ available: true, source: 'acl', devices: ACL_DEVICES })
  })

  it('finds the driver libdcmi.so under the install root of ASCEND_TOOLKIT_HOME', async () => {
    const toolkit = join(dirs.install, 'ascend-toolkit/latest')
    const probe = await probeLocalNpus({ env: { ...stubEnv(), ASCEND_TOOLKIT_HOME: toolkit } })
    expect(probe).toEqual({ available: true, source: 'dcmi', devices: DCMI_DEVICES })
  })

  it('uses dcmi_get_card_num_list on drivers that predate dcmi_get_card_list', async () => {
    const probe = await probeLocalNpus({ libraryPath: dirs.oldCardList, env: stubEnv() })
    expect(probe).toEqual({ available: true, source: 'dcmi', devices: DCMI_DEVICES })
  })

  it('with no library at all, says so for both libraries', async () => {
    const probe = await probeLocalNpus({ libraryPath: dirs.empty, env: stubEnv() })
    expect(probe.available).toBe(false)
    if (probe.available) return
    expect(probe.reason).toMatch(/libdcmi\.so could not be loaded/)
    expect(probe.reason).toMatch(/libascendcl\.so could not be loaded/)
    expect(probe.reason).toContain(dirs.empty)
  })

  it('names the call and the code when a DCMI call returns an error', async () => {
    const env = stubEnv({ STUB_FAIL: 'dcmi_get_device_hbm_info', STUB_FAIL_AT: '3', STUB_FAIL_CODE: '-8005' })
    const probe = await probeLocalNpus({ libraryPath: dirs.dcmi, env })
    expect(probe).toMatchObject({ available: false })
    if (probe.available) return
    expect(probe.reason).toContain(
      'libdcmi.so: dcmi_get_device_hbm_info(card 3, device 0) returned -8005 (internal driver error)'
    )
  })

  it('names the call and the code when an AscendCL call returns an error', async () => {
    const env = stubEnv({ STUB_FAIL: 'aclrtSetDevice', STUB_FAIL_AT: '2', STUB_FAIL_CODE: '107001' })
    const probe = await probeLocalNpus({ libraryPath: dirs.acl, env })
    expect(probe).toMatchObject({ available: false })
    if (probe.available) return
    expect(probe.reason).toContain('libascendcl.so: aclrtSetDevice(2) returned 107001')
    expect(probe.reason).toMatch(/libdcmi\.so could not be loaded/)
  })

  it('names a function the library lacks', async () => {
    const probe = await probeLocalNpus({ libraryPath: dirs.noLogicId, env: stubEnv() })
    expect(probe).toMatchObject({ available: false })
    if (probe.available) return
    expect(probe.reason).toMatch(/libdcmi\.so has no dcmi_get_device_logic_id/)
  })

  it('survives a driver that crashes the probe process', async () => {
    const probe = await probeLocalNpus({
      libraryPath: dirs.dcmi,
      env: stubEnv({ STUB_CRASH: 'dcmi_get_device_num_in_card' })
    })
    expect(probe).toMatchObject({ available: false })
    if (probe.available) return
    expect(probe.reason).toMatch(/killed by SIGSEGV/)
    // This process is alive and probes again normally.
    expect(await probeLocalNpus({ libraryPath: dirs.both, env: stubEnv() })).toMatchObject({
      available: true
    })
  })

  it('stops a driver that hangs, and says it timed out', async () => {
    const pidFile = join(root, 'hung.pid')
    const env = stubEnv({ STUB_HANG: 'dcmi_init', STUB_PID_FILE: pidFile })
    // Long enough for the child to reach dcmi_init on a loaded machine, so that it surely wrote its pid.
    const probe = await probeLocalNpus({ libraryPath: dirs.dcmi, env, timeoutMs: 6000 })
    expect(probe).toEqual({
      available: false,
      reason: 'The NPU probe did not answer within 6 s (a hung driver?), so it was stopped.'
    })
    const pid = Number(readFileSync(pidFile, 'utf8'))
    await expect.poll(() => isAlive(pid), { timeout: 10_000 }).toBe(false)
  })

  it('rejects with CANCELLED and stops the child when cancelled', async () => {
    const pidFile = join(root, 'cancelled.pid')
    const env = stubEnv({ STUB_HANG: 'aclInit', STUB_PID_FILE: pidFile })
    const controller = new AbortController()
    const probing = probeLocalNpus({ libraryPath: dirs.acl, env, signal: controller.signal })
    await expect
      .poll(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, { timeout: 20_000 })
      .toBe(true)
    controller.abort()
    await expect(probing).rejects.toMatchObject({ code: 'CANCELLED' })
    const pid = Number(readFileSync(pidFile, 'utf8'))
    await expect.poll(() => isAlive(pid), { timeout: 10_000 }).toBe(false)
  })
})

describe.skipIf('error' in addon)(`the native addon${SKIP_NOTE}`, () => {
  it('links no Ascend library: it loads on machines without CANN', () => {
    if ('error' in addon) return
    const dynamic = execFileSync('readelf', ['-d', addon.path], { encoding: 'utf8' })
    const needed = dynamic.split('\n').filter((line) => line.includes('(NEEDED)'))
    expect(needed.length).toBeGreaterThan(0)
    expect(needed.join('\n')).not.toMatch(/dcmi|ascend|acl/i)
  })
})

describe.skipIf(!('error' in addon))('probeLocalNpus without the native addon', () => {
  it('answers unavailable and says the addon is missing', async () => {
    const probe = await probeLocalNpus()
    expect(probe).toMatchObject({ available: false })
    if (probe.available) return
    expect(probe.reason).toMatch(/^Cannot probe local NPUs: the native addon (is not built|did not load)/)
  })
})
