import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { bufferIO } from '../../src-main/cli/io'
import { runCli } from '../../src-main/cli/run'

const ROOT = join(__dirname, '../..')

/** Runs the CLI in-process, as `shardscope <argv>` would, capturing output. */
export async function cli(...argv: string[]) {
  const io = bufferIO()
  const code = await runCli(argv, io)
  return { code, stdout: io.stdout, stderr: io.stderr }
}

export async function cliJson<T = unknown>(...argv: string[]): Promise<T> {
  const result = await cli(...argv, '--json')
  if (result.code !== 0)
    throw new Error(`shardscope ${argv.join(' ')} failed (${result.code}): ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/**
 * Runs the CLI as a real process, exactly as `npm run -s cli -- <argv>` and the installed command do: the
 * launcher, which runs the esbuild bundle (rebuilt first if a source changed).
 */
export function cliProcess(...argv: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/shardscope.cjs'), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
