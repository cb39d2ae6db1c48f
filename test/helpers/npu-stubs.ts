import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const STUB_SOURCES = resolve(__dirname, 'npu-stubs')
// The probe's declarations: the stubs implement exactly what the probe calls.
const DECLARATIONS = resolve(__dirname, '../../native/src')

export type StubLibrary = 'dcmi' | 'acl'

const FILE_NAMES: Record<StubLibrary, string> = { dcmi: 'libdcmi.so', acl: 'libascendcl.so' }

/**
 * Compiles the stub driver library `library` into `dir` under its real file name, with extra preprocessor
 * `defines` (e.g. STUB_WITHOUT_LOGIC_ID), and returns its path.
 */
export function compileStubLibrary(library: StubLibrary, dir: string, defines: string[] = []): string {
  mkdirSync(dir, { recursive: true })
  const output = join(dir, FILE_NAMES[library])
  execFileSync(
    'g++',
    [
      '-shared',
      '-fPIC',
      '-O1',
      '-std=c++17',
      `-I${DECLARATIONS}`,
      `-I${STUB_SOURCES}`,
      ...defines.map((define) => `-D${define}`),
      join(STUB_SOURCES, `${library}-stub.cc`),
      '-o',
      output
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  return output
}
