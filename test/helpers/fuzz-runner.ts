// Runs a batch of CLI invocations in one process, as `shardscope <argv>` would, and reports each as one JSON line.
// Spawned by the hostile-input fuzz test with a small heap, so a blow-up kills this process (and fails the test)
// instead of swapping; a line announcing each case before it runs tells which one hung or crashed.
import { readFileSync } from 'node:fs'
import { bufferIO } from '../../src-main/cli/io'
import { runCli } from '../../src-main/cli/run'

export interface FuzzRun {
  id: number
  code: number
  ms: number
  stdoutLength: number
  /** The first 64 KiB of each stream: enough to check for escapes and stack traces. */
  stdout: string
  stderr: string
}

async function main(): Promise<void> {
  const cases = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { id: number; argv: string[] }[]
  for (const c of cases) {
    process.stdout.write(JSON.stringify({ started: c.id }) + '\n')
    const io = bufferIO()
    const started = performance.now()
    const code = await runCli(c.argv, io)
    const run: FuzzRun = {
      id: c.id,
      code,
      ms: performance.now() - started,
      stdoutLength: io.stdout.length,
      stdout: io.stdout.slice(0, 65536),
      stderr: io.stderr.slice(0, 65536)
    }
    process.stdout.write(JSON.stringify(run) + '\n')
  }
}

void main()
