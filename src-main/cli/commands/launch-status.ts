import { resolve } from 'node:path'
import { listRanks } from '../../engine/cluster/worker-assignment'
import { ShardscopeError } from '../../engine/errors'
import { readWorkerProgress, type WorkerProgressFile } from '../../engine/exec/worker-progress'
import { escapeForTerminal, jsonForTerminal } from '../../engine/util/terminal-text'
import { EXIT_OK } from '../exit-codes'
import type { CliIO } from '../io'
import { formatBytes } from '../table'

/**
 * `launch --status --dst <dir>`: how far each worker of a cluster run is, from the progress files the workers
 * keep in the destination, so a run started by sbatch or kubectl can be followed from any machine that sees the
 * folder. Exit 0 when every worker is complete, 1 otherwise (running, failed, cancelled or not seen yet).
 */
export async function launchStatus(
  dst: string | undefined,
  workers: number | undefined,
  json: boolean,
  io: CliIO
): Promise<number> {
  if (dst === undefined)
    throw new ShardscopeError('BAD_INPUT', '--status needs --dst <dir>, the destination the workers write.')
  const folder = resolve(dst)
  const all = await readWorkerProgress(folder)
  // Without --workers, the largest run seen: an earlier run with another count may have left its files.
  const count = workers ?? Math.max(0, ...all.map((w) => w.worker.count))
  const files = all.filter((w) => w.worker.count === count)
  const complete = count > 0 && files.length === count && files.every((w) => w.state === 'complete')
  if (json) {
    io.out(jsonForTerminal({ destination: folder, workers: count, progress: files, complete }) + '\n')
    return complete ? EXIT_OK : 1
  }
  if (count === 0) {
    io.out(`No worker has written a progress file in ${escapeForTerminal(folder)} yet.\n`)
    return 1
  }
  const lines = files.map(describe)
  const unseen = count - files.length
  io.out(
    `${files.length} of ${count} workers have progress files in ${escapeForTerminal(folder)}` +
      (complete ? '; all complete (check them with "shardscope verify").' : '.') +
      '\n' +
      lines.join('') +
      (unseen > 0
        ? `  ${unseen} not seen yet: not started, or writing where this machine does not see.\n`
        : '')
  )
  return complete ? EXIT_OK : 1
}

function describe(w: WorkerProgressFile): string {
  const where = escapeForTerminal(w.server ? `${w.server} (${w.host})` : w.host)
  const ranks = w.ranks.length > 0 ? `ranks ${listRanks(w.ranks)}` : 'share not planned yet'
  const rate =
    w.state === 'running' && w.bytesPerSecond > 0
      ? `, ${formatBytes(w.bytesPerSecond)}/s${w.etaSeconds !== undefined ? `, ${Math.ceil(w.etaSeconds)} s left` : ''}`
      : ''
  const message = w.message ? `\n      ${escapeForTerminal(w.message)}` : ''
  return `  worker ${w.worker.index}/${w.worker.count} on ${where}: ${w.state} — ${ranks} — ${formatBytes(w.bytesDone)} of ${formatBytes(w.bytesTotal)}${rate}${message}\n`
}
