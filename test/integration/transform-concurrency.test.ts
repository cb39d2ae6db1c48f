import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LOCK_NAME } from '../../src-main/engine/exec/destination-lock'
import { cli } from '../helpers/cli'
import { useTempDirs } from '../helpers/temp-dir'
import { writeSyntheticConversion } from '../helpers/synthetic'

const tempDir = useTempDirs()
const ROOT = join(__dirname, '../..')
const TRIALS = 6

interface Exit {
  pid: number
  code: number | null
  stderr: string
}

/** A real `shardscope transform` process; `exited` settles when it ends. */
function transformProcess(args: string[]): { pid: number; exited: Promise<Exit> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), 'transform', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe']
    }
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code) => resolve({ pid: child.pid!, code, stderr }))
  )
  return { pid: child.pid!, exited }
}

async function fixture() {
  const root = tempDir()
  const { args } = await writeSyntheticConversion(root, 6, 512)
  // What every output must be, from a run nobody disturbed.
  const reference = join(root, 'reference')
  expect((await cli('transform', '--dst', reference, ...args)).code).toBe(0)
  return { root, args, reference }
}

function outputsOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ckpt'))
    .sort()
}

describe('two runs into one destination at once', () => {
  it('the second is refused while the first holds the lock, naming the first', async () => {
    const { root, args, reference } = await fixture()
    const dst = join(root, 'out')
    const first = transformProcess(['--dst', dst, ...args])
    try {
      const deadline = Date.now() + 60_000
      while (!existsSync(join(dst, LOCK_NAME)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10))
      // Freeze the first run while it holds the lock, so the second certainly meets it.
      process.kill(first.pid, 'SIGSTOP')
      const planned = await cli('plan', '--dst', dst, ...args.slice(0, -2))
      expect(planned.stderr).toContain(
        `warning: Another conversion is writing to ${dst} (process ${first.pid}`
      )
      const second = await cli('transform', '--dst', dst, ...args)
      expect(second.code).toBe(2)
      expect(second.stderr).toContain(
        `shardscope transform: Another conversion is writing to ${dst} (process ${first.pid} on this machine`
      )
    } finally {
      process.kill(first.pid, 'SIGCONT')
    }
    expect((await first.exited).code).toBe(0)
    for (const output of outputsOf(reference))
      expect(readFileSync(join(dst, output)).equals(readFileSync(join(reference, output)))).toBe(true)
  })

  it(`started together ${TRIALS} times: one writes, the other is refused or finds the work done; no output is ever corrupt`, async () => {
    const { root, args, reference } = await fixture()
    const expected = outputsOf(reference)
    let refusals = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      const dst = join(root, `out-${trial}`)
      const runs = [transformProcess(['--dst', dst, ...args]), transformProcess(['--dst', dst, ...args])]
      const [a, b] = await Promise.all(runs.map((r) => r.exited))
      for (const [run, other] of [
        [a!, b!],
        [b!, a!]
      ] as const) {
        if (run.code === 2) {
          refusals++
          expect(run.stderr).toContain(
            `Another conversion is writing to ${dst} (process ${other.pid} on this machine`
          )
          expect(other.code).toBe(0)
        } else expect(run.code, run.stderr).toBe(0)
      }
      // Whatever happened, every file under a final name is complete and right, and nothing temporary is left.
      expect(outputsOf(dst)).toEqual(expected)
      for (const output of expected)
        expect(readFileSync(join(dst, output)).equals(readFileSync(join(reference, output))), output).toBe(
          true
        )
      expect(
        readdirSync(dst, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('.tmp') || f === LOCK_NAME)
      ).toEqual([])
      expect((await cli('verify', dst)).code).toBe(0)
    }
    // Not a timing assertion: it reports how often the two runs overlapped.
    console.log(`two simultaneous runs: ${refusals} of ${TRIALS} trials had the second refused by the lock`)
  })
})
