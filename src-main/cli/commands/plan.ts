import { planConversion } from '../../engine/plan/plan-transform'
import { ShardscopeError } from '../../engine/errors'
import { jsonForTerminal } from '../../engine/util/terminal-text'
import { parseCommandArgs, requireInteger } from '../args'
import type { CliIO } from '../io'
import { describeCrcChecks, PLAN_OPTIONS, planInputFrom, printProblems } from '../plan-args'
import { formatWorkers, PLAN_WORKER_OPTIONS, planWorkers } from '../plan-workers'
import { formatBytes, formatTable } from '../table'

export const PLAN_USAGE = `Usage: shardscope plan --src <dir> [--dst <dir>] [--src-strategy <file|dir>] [--dst-strategy <file|dir>]
         [--prefix <p>] [--rank <r>]... [--format ckpt|safetensors] [--dtype <t>] [--exclude <regex>]
         [--verify-crc] [--overwrite] [--json] [--workers <n> [--rank-table <f> | --hostfile <f>]]

Plans the same conversion as "transform" without moving a byte: for every destination rank the source ranks
it reads, the bytes it reads and writes, the files it opens and its peak buffer memory, and every problem
found in the inputs, including whether --dst may be written (see "transform --help") and which source files
get their CRC-32 checked. Exits 2 when the inputs have errors.

  --workers     show how "transform" workers share the destination ranks: with --rank-table one worker per
                server, writing the ranks that server loads; without, dealt by bytes to write. Lists, per server
                (or worker), the source rank folders its share reads, to stage where there is no shared storage.
`

export async function planCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('plan', argv, { ...PLAN_OPTIONS, ...PLAN_WORKER_OPTIONS })
  if (values.help) {
    io.out(PLAN_USAGE)
    return 0
  }
  const count = values.workers === undefined ? undefined : requireInteger('--workers', values.workers)
  const layout = values['rank-table'] ?? values.hostfile
  if (layout !== undefined && count === undefined)
    throw new ShardscopeError(
      'BAD_INPUT',
      `--${values['rank-table'] ? 'rank-table' : 'hostfile'} needs --workers <n>.`
    )
  const plan = await planConversion(await planInputFrom(values, false))
  const summary = plan.ranks.map((r) => ({
    rank: r.rank,
    output: r.output,
    sources: r.sourceRanks,
    sourceFiles: r.sources.map((f) => ({
      rank: f.rank,
      path: f.path,
      ...(f.realPath ? { realPath: f.realPath } : {}),
      crc: f.crc
    })),
    params: r.paramCount,
    bytesRead: r.totals.bytesRead,
    bytesWritten: r.totals.bytesWritten,
    filesOpened: r.totals.filesOpened,
    peakBuffer: r.totals.peakBuffer
  }))
  const errors = plan.problems.filter((p) => p.severity === 'error')
  // Dealing ranks a plan could not make would show a different assignment than the workers compute.
  const workers =
    count !== undefined && errors.length === 0 ? await planWorkers(plan, count, layout) : undefined
  if (values.json) {
    io.out(
      jsonForTerminal({
        source: plan.source,
        destination: plan.destination,
        ranks: summary,
        totals: {
          bytesRead: summary.reduce((s, r) => s + r.bytesRead, 0),
          bytesWritten: summary.reduce((s, r) => s + r.bytesWritten, 0)
        },
        excluded: plan.excluded,
        conversion: plan.conversion.recipe,
        problems: plan.problems,
        ...(workers ? { workers } : {})
      }) + '\n'
    )
    return errors.length > 0 ? 2 : 0
  }
  printProblems(io, plan.problems)
  const crc = describeCrcChecks(plan)
  io.out(
    `Plan: ${plan.source.stageCount} × ${plan.source.stageDevices} source ranks → ${plan.destination.stageCount} × ${plan.destination.stageDevices} destination ranks\n\n` +
      formatTable(
        ['rank', 'output', 'source ranks', 'params', 'read', 'write', 'peak memory'],
        summary.map((r) => [
          r.rank,
          r.output,
          r.sources.join(', '),
          r.params,
          formatBytes(r.bytesRead),
          formatBytes(r.bytesWritten),
          formatBytes(r.peakBuffer)
        ]),
        [0, 3, 4, 5, 6]
      ) +
      (crc ? `\n${crc}\n` : '') +
      (workers ? formatWorkers(workers, plan.source.folder) : '')
  )
  return errors.length > 0 ? 2 : 0
}
