import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(__dirname, '../..')
export const CLI_BUNDLE = join(ROOT, 'bin/shardscope.cjs')

/** Runs the CLI as its own process (as a launcher would), without blocking the test. */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const done = new Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, done }
}

/** SHA-256 of every `rank_N/*.ckpt` under a folder, by relative path. */
export function outputHashes(folder: string): Record<string, string> {
  const hashes: Record<string, string> = {}
  if (!existsSync(folder)) return hashes
  for (const dir of readdirSync(folder)
    .filter((d) => /^rank_\d+$/.test(d))
    .sort())
    for (const file of readdirSync(join(folder, dir)).filter(
      (f) => f.endsWith('.ckpt') || f.endsWith('.safetensors')
    ))
      hashes[`${dir}/${file}`] = createHash('sha256')
        .update(readFileSync(join(folder, dir, file)))
        .digest('hex')
  return hashes
}

/** The outputs a worker's manifest lists so far (empty while it has none or is being replaced). */
export function workerOutputs(folder: string, index: number, count: number): string[] {
  try {
    const text = readFileSync(join(folder, `shardscope-manifest.worker-${index}-of-${count}.json`), 'utf8')
    return Object.keys(JSON.parse(text).outputs)
  } catch {
    return []
  }
}

export async function until(done: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
