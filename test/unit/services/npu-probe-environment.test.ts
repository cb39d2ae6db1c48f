import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { probeEnvironment } from '../../../src-main/services/npu-probe-environment'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

/** An Ascend install root as Huawei's installers lay it out, with only the library directories. */
function ascendRoot(): { root: string; toolkit: string } {
  const root = tempDir()
  const toolkit = join(root, 'ascend-toolkit/latest')
  for (const dir of ['lib64', 'lib64/plugin/opskernel']) mkdirSync(join(toolkit, dir), { recursive: true })
  for (const dir of ['lib64', 'lib64/driver']) mkdirSync(join(root, 'driver', dir), { recursive: true })
  return { root, toolkit }
}

describe('probeEnvironment', () => {
  it('puts the library path, the toolkit and the driver ahead of LD_LIBRARY_PATH, as set_env.sh does', () => {
    const { root, toolkit } = ascendRoot()
    const base = {
      PATH: '/usr/bin',
      ASCEND_TOOLKIT_HOME: toolkit,
      LD_LIBRARY_PATH: '/opt/mine',
      NODE_OPTIONS: '--x'
    }
    const { env, libraryDirectories } = probeEnvironment(base, '/stubs')
    // A real install under /usr/local/Ascend, if this machine has one, comes after these.
    expect(libraryDirectories.slice(0, 5)).toEqual([
      '/stubs',
      join(toolkit, 'lib64'),
      join(toolkit, 'lib64/plugin/opskernel'),
      join(root, 'driver/lib64'),
      join(root, 'driver/lib64/driver')
    ])
    expect(env.LD_LIBRARY_PATH).toBe([...libraryDirectories, '/opt/mine'].join(':'))
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      ASCEND_HOME_PATH: toolkit,
      ASCEND_TOOLKIT_HOME: toolkit,
      ASCEND_OPP_PATH: join(toolkit, 'opp'),
      ELECTRON_RUN_AS_NODE: '1'
    })
    expect(env.NODE_OPTIONS).toBeUndefined()
    expect(base.NODE_OPTIONS).toBe('--x')
  })

  it('takes the toolkit from ASCEND_HOME_PATH and keeps variables the user set', () => {
    const { toolkit } = ascendRoot()
    const { env, libraryDirectories } = probeEnvironment({
      ASCEND_HOME_PATH: toolkit,
      ASCEND_OPP_PATH: '/my/opp'
    })
    expect(libraryDirectories[0]).toBe(join(toolkit, 'lib64'))
    expect(env.ASCEND_TOOLKIT_HOME).toBe(toolkit)
    expect(env.ASCEND_OPP_PATH).toBe('/my/opp')
  })

  it('leaves out directories that do not exist', () => {
    const { env, libraryDirectories } = probeEnvironment({ ASCEND_HOME_PATH: join(tempDir(), 'nothing') })
    expect(libraryDirectories.every((dir) => !dir.includes('nothing'))).toBe(true)
    expect(env.LD_LIBRARY_PATH).toBe(libraryDirectories.join(':'))
  })
})
