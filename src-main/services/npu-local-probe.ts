import { spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import { ShardscopeError } from '../engine/errors'
import { loadAddon } from '../engine/exec/native-addon'
import { parseProbeAnswer } from './npu-probe-answer'
import { MAX_ANSWER_BYTES, NPU_PROBE_CHILD_SOURCE } from './npu-probe-child'
import { probeEnvironment } from './npu-probe-environment'

export interface LocalNpuDevice {
  /** The physical id when the driver reports it (DCMI), else the logic id (AscendCL). */
  id: number
  /** The device number applications use: ACL device id, ASCEND_RT_VISIBLE_DEVICES. */
  logicId?: number
  /** The SoC name, e.g. "Ascend910B3". */
  name?: string
  hbmTotalBytes: number
  hbmUsedBytes: number
}

export type LocalNpuProbe =
  | { available: true; source: 'dcmi' | 'acl'; devices: LocalNpuDevice[] }
  | { available: false; reason: string }

export interface LocalNpuProbeOptions {
  /** A directory searched before the CANN ones for libdcmi.so and libascendcl.so. */
  libraryPath?: string
  /** The environment the probe starts from (CANN variables included); default process.env. */
  env?: NodeJS.ProcessEnv
  /** How long a driver may take before the probe is stopped; default 30 s (AscendCL opens every device). */
  timeoutMs?: number
  /** Stops the probe; the promise then rejects with CANCELLED. */
  signal?: AbortSignal
}

const DEFAULT_TIMEOUT_MS = 30_000
const STDERR_KEPT_BYTES = 8192

type ChildOutcome = { answer: string } | { failure: string }

/**
 * The NPUs of this machine and their HBM use, asked of the Ascend driver (libdcmi.so) or else the CANN
 * runtime (libascendcl.so). Both are loaded with dlopen in a child process started with the CANN environment:
 * LD_LIBRARY_PATH only takes effect when a process starts, and a driver that crashes or hangs then costs the
 * child, never the app. Every failure resolves to `{available: false, reason}`; only cancellation rejects.
 */
export async function probeLocalNpus(options: LocalNpuProbeOptions = {}): Promise<LocalNpuProbe> {
  const addon = loadAddon(['probeNpus'])
  if ('error' in addon) return { available: false, reason: `Cannot probe local NPUs: ${addon.error}.` }
  const { env, libraryDirectories } = probeEnvironment(options.env ?? process.env, options.libraryPath)
  const outcome = await runProbeChild(
    addon.path,
    env,
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    options.signal
  )
  if ('failure' in outcome) return { available: false, reason: outcome.failure }
  const answer = parseProbeAnswer(outcome.answer)
  if (answer === undefined) {
    return {
      available: false,
      reason: 'The NPU probe process answered something that is not a probe result.'
    }
  }
  if (!answer.available)
    return { available: false, reason: `${answer.reason} ${searched(libraryDirectories)}` }
  return answer
}

function searched(directories: string[]): string {
  if (directories.length === 0) {
    return '(No CANN install was found through ASCEND_TOOLKIT_HOME, ASCEND_HOME_PATH or /usr/local/Ascend; only the system library path was searched.)'
  }
  return `(Searched ${directories.join(', ')} before the system library path.)`
}

function runProbeChild(
  addonPath: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  signal: AbortSignal | undefined
): Promise<ChildOutcome> {
  return new Promise<ChildOutcome>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled())
      return
    }
    const child = spawn(process.execPath, ['-e', NPU_PROBE_CHILD_SOURCE, addonPath], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      windowsHide: true
    })
    const answerPipe = child.stdio[3] as Readable
    const answer: Buffer[] = []
    let answerBytes = 0
    let stderr = ''
    let settled = false

    // A driver stuck in the kernel may survive SIGKILL for a while: settle at once and let the child go.
    const settle = (finish: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        answerPipe.destroy()
        child.stderr?.destroy()
        child.unref()
      }
      finish()
    }
    const onAbort = () => settle(() => reject(cancelled()))
    const timer = setTimeout(() => {
      const seconds = timeoutMs / 1000
      settle(() =>
        resolve({
          failure: `The NPU probe did not answer within ${seconds} s (a hung driver?), so it was stopped.`
        })
      )
    }, timeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })

    answerPipe.on('data', (chunk: Buffer) => {
      answerBytes += chunk.length
      if (answerBytes <= MAX_ANSWER_BYTES) answer.push(chunk)
    })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEPT_BYTES)
    })
    child.on('error', (err) => {
      settle(() => resolve({ failure: `The NPU probe process could not start (${err.message}).` }))
    })
    child.on('close', (code, killedBy) => {
      const detail = stderrGist(stderr)
      settle(() => {
        if (killedBy !== null) {
          resolve({
            failure: `The NPU probe process was killed by ${killedBy}, most likely by a crash inside libdcmi.so or libascendcl.so${detail}.`
          })
        } else if (code !== 0) {
          resolve({ failure: `The NPU probe process exited with code ${code}${detail}.` })
        } else if (answerBytes > MAX_ANSWER_BYTES) {
          resolve({ failure: `The NPU probe process answered more than ${MAX_ANSWER_BYTES} bytes.` })
        } else {
          resolve({ answer: Buffer.concat(answer).toString('utf8') })
        }
      })
    })
  })
}

/** The line of the child's stderr that says what happened (an error's first line), never a stack trace. */
function stderrGist(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at ') && !/^Node\.js v\d/.test(line) && line !== '^')
  const line = lines.find((candidate) => /^[A-Za-z]*Error\b/.test(candidate)) ?? lines[lines.length - 1]
  if (line === undefined) return ''
  return `: ${line.length > 300 ? `${line.slice(0, 297)}...` : line}`
}

function cancelled(): ShardscopeError {
  return new ShardscopeError('CANCELLED', 'The local NPU probe was cancelled.')
}
