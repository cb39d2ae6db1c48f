// What the benchmarks need to tell the truth on a shared machine: how loaded it was while a figure was taken,
// and a child process's wall time, CPU time and peak RSS (all its threads), with a memory cap and a time cap
// that turn a blow-up into a reported outcome instead of a dead benchmark.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const CLOCK_TICKS = 100 // USER_HZ on Linux, the unit of /proc/stat and /proc/<pid>/stat times
const REPORTER = join(__dirname, 'rusage-report.cjs')
export const ROOT = join(__dirname, '..')
export const CLI = join(ROOT, 'bin/shardscope.cjs')

/** CPU ticks: every core's busy time, and this process's own plus that of the children it has waited for. */
interface CpuTicks {
  busy: number
  ours: number
}

function cpuTicks(): CpuTicks | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
    const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + (cpu[7] ?? 0)
    // After the command name, which may hold spaces: utime stime cutime cstime are fields 14-17.
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number)
    return { busy, ours: fields[11]! + fields[12]! + fields[13]! + fields[14]! }
  } catch {
    return undefined
  }
}

/** How busy the machine was while `run` ran, leaving out this process and its children. */
export interface LoadWindow {
  loadBefore: number
  loadAfter: number
  /** Cores' worth of CPU that other processes used during the window; undefined without /proc. */
  otherCores?: number
}

export async function measuringLoad<T>(run: () => Promise<T>): Promise<{ result: T; load: LoadWindow }> {
  const loadBefore = loadavg()[0]!
  const before = cpuTicks()
  const started = process.hrtime.bigint()
  const result = await run()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const after = cpuTicks()
  const load: LoadWindow = { loadBefore, loadAfter: loadavg()[0]! }
  if (before && after && seconds > 0)
    load.otherCores =
      Math.max(0, after.busy - before.busy - (after.ours - before.ours)) / CLOCK_TICKS / seconds
  return { result, load }
}

export function describeLoad(load: LoadWindow): string {
  const others = load.otherCores === undefined ? 'n/a' : load.otherCores.toFixed(2)
  return `load ${load.loadBefore.toFixed(2)}→${load.loadAfter.toFixed(2)}, others ${others}/${availableParallelism()} cores`
}

export interface ChildRun {
  outcome: 'ok' | 'failed' | 'out of memory' | 'over time'
  seconds: number
  /** Peak resident memory of the whole process (every thread); a lower bound when it died before reporting. */
  peakRssBytes: number
  peakRssExact: boolean
  cpuSeconds?: number
  code: number | null
  stdout: string
  stderr: string
}

export interface ChildLimits {
  /** V8 heap limit (--max-old-space-size), so a runaway planner dies of "out of memory" instead of the machine. */
  heapMiB?: number
  /** Killed after this long. */
  timeoutSeconds?: number
  /** Keep stdout (off for commands that print megabytes). */
  captureStdout?: boolean
}

/**
 * Runs `node [--max-old-space-size] <script> args` with a preload that reports the process's own peak RSS and
 * CPU time at exit; /proc/<pid>/status is polled as well, so a process killed or crashed still has a figure.
 */
export function runNode(script: string, args: string[], limits: ChildLimits = {}): Promise<ChildRun> {
  const report = join(
    tmpdir(),
    `shardscope-bench-rusage-${process.pid}-${Math.random().toString(36).slice(2)}`
  )
  const nodeArgs = [
    ...(limits.heapMiB ? [`--max-old-space-size=${limits.heapMiB}`] : []),
    '--require',
    REPORTER,
    script,
    ...args
  ]
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, nodeArgs, {
      cwd: ROOT,
      env: { ...process.env, SHARDSCOPE_BENCH_REPORT: report },
      stdio: ['ignore', limits.captureStdout === false ? 'ignore' : 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64_000)))
    let polledPeak = 0
    const poll = setInterval(() => (polledPeak = Math.max(polledPeak, highWaterMark(child.pid))), 50)
    let timedOut = false
    const timer = limits.timeoutSeconds
      ? setTimeout(() => {
          timedOut = true
          child.kill('SIGKILL')
        }, limits.timeoutSeconds * 1000)
      : undefined
    child.on('close', (code, signal) => {
      clearInterval(poll)
      if (timer) clearTimeout(timer)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const reported = readReport(report)
      const oom = /heap out of memory|Reached heap limit|allocation failed/i.test(stderr)
      resolve({
        outcome: timedOut ? 'over time' : oom ? 'out of memory' : code === 0 ? 'ok' : 'failed',
        seconds,
        peakRssBytes: reported?.maxRssBytes ?? polledPeak,
        peakRssExact: reported !== undefined,
        ...(reported ? { cpuSeconds: reported.cpuSeconds } : {}),
        code: code ?? (signal ? 128 : null),
        stdout,
        stderr
      })
    })
  })
}

function highWaterMark(pid: number | undefined): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

function readReport(path: string): { maxRssBytes: number; cpuSeconds: number } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { maxRssBytes: number; cpuSeconds: number }
  } catch {
    return undefined
  } finally {
    rmSync(path, { force: true })
  }
}

export const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** One line saying what a child run came to: its time, or how it failed, and its peak memory. */
export function describeRun(run: ChildRun, limits: ChildLimits): string {
  const rss = `${run.peakRssExact ? '' : '≥'}${mib(run.peakRssBytes)}`
  switch (run.outcome) {
    case 'ok':
      return `${run.seconds.toFixed(2)} s (CPU ${run.cpuSeconds?.toFixed(2) ?? '?'} s), peak RSS ${rss}`
    case 'over time':
      return `over ${limits.timeoutSeconds} s (killed), RSS then ${rss}`
    case 'out of memory':
      return `out of memory after ${run.seconds.toFixed(1)} s (heap cap ${limits.heapMiB} MiB), RSS ${rss}`
    case 'failed':
      return `failed (exit ${run.code}) after ${run.seconds.toFixed(1)} s: ${lastLine(run.stderr)}`
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 200) ?? ''
}
