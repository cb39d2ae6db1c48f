import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStrategyFile, writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { cli } from '../helpers/cli'
import { useTempDirs } from '../helpers/temp-dir'
import { writeSyntheticCheckpoint } from '../helpers/synthetic'

const tempDir = useTempDirs()
const ROOT = join(__dirname, '../..')

function manifestOutputs(out: string): string[] {
  const path = join(out, 'shardscope-manifest.json')
  if (!existsSync(path)) return []
  try {
    return Object.keys(JSON.parse(readFileSync(path, 'utf8')).outputs)
  } catch {
    return []
  }
}

describe('a killed run, then a re-run', () => {
  it('leaves only complete outputs, and the re-run resumes from them to the same result', async () => {
    const root = tempDir()
    const params = Array.from({ length: 8 }, (_, i) => ({
      name: `layers.${i}.weight`,
      dtype: 'Float32' as const,
      shape: [1024, 1024],
      map: [1, 0]
    }))
    const { folder, strategy } = await writeSyntheticCheckpoint(root, [2, 4], params)
    const dst = await readStrategyFile(strategy)
    for (const l of dst.layouts) l.devMatrix = [8]
    for (const l of dst.layouts) l.tensorMap = [0, -1]
    const dstStrategy = join(root, 'dst.ckpt')
    await writeStrategyFile(dst, dstStrategy)
    const args = ['--src', folder, '--src-strategy', strategy, '--dst-strategy', dstStrategy, '--jobs', '1']

    const killed = join(root, 'killed')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), 'transform', '--dst', killed, ...args],
      { cwd: ROOT, stdio: 'ignore' }
    )
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal))
    )
    const deadline = Date.now() + 60_000
    while (manifestOutputs(killed).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    // Whatever the kill interrupted is a .tmp file, never a complete-looking output.
    const ckpts = readdirSync(killed, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ckpt'))
    expect(ckpts.sort()).toEqual(manifestOutputs(killed).sort())
    expect(ckpts.length).toBeGreaterThanOrEqual(2)
    expect(ckpts.length).toBeLessThan(8)

    const resumed = await cli('transform', '--dst', killed, ...args, '--json')
    expect(resumed.code, resumed.stderr).toBe(0)
    const summary = JSON.parse(resumed.stdout) as {
      outputs: { output: string; sha256: string; skipped: boolean }[]
    }
    expect(
      summary.outputs
        .filter((o) => o.skipped)
        .map((o) => o.output)
        .sort()
    ).toEqual(ckpts.sort())
    expect(
      readdirSync(killed, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.tmp'))
    ).toEqual([])

    const fresh = await cli('transform', '--dst', join(root, 'fresh'), ...args, '--json')
    const freshSummary = JSON.parse(fresh.stdout) as typeof summary
    expect(summary.outputs.map((o) => o.sha256)).toEqual(freshSummary.outputs.map((o) => o.sha256))
    expect((await cli('verify', killed)).code).toBe(0)
  })
})
