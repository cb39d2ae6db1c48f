import { ShardscopeError } from '../../engine/errors'
import { runTransform } from '../../engine/exec/run-transform'
import { planConversion } from '../../engine/plan/plan-transform'
import { parseCommandArgs, requireInteger } from '../args'
import type { CliIO } from '../io'
import { describeSlot, workerSlot } from '../launcher-env'
import { describeCrcChecks, PLAN_OPTIONS, planInputFrom, printProblems } from '../plan-args'
import { formatDuration, progressPrinter } from '../progress'
import { formatBytes, formatTable } from '../table'
import { planWorkerShare, recordWorkerEnd, WORKER_OPTIONS, type WorkerRun } from '../worker-run'

export const TRANSFORM_USAGE = `Usage: shardscope transform --src <dir> --dst <dir> [--src-strategy <file|dir>] [--dst-strategy <file|dir>]
         [--prefix <p>] [--rank <r>]... [--format ckpt|safetensors] [--dtype <t>] [--exclude <regex>]
         [--crc] [--verify-crc] [--sha256] [--overwrite] [--fsync] [--jobs <n>] [--json] [--dec-key <hex|@file>]
         [--dec-mode <mode>] [--worker <i>/<n> | --workers <n>] [--rank-table <f> | --hostfile <f>] [--cluster <f>]

Converts the distributed checkpoint in --src (rank_N/ folders) from the source strategy's layout to the
destination strategy's, writing <dst>/rank_<r>/<prefix><r>.ckpt (or .safetensors) for every destination rank.
No --src-strategy: the source is one unsharded checkpoint. No --dst-strategy: merge into one full checkpoint.
A strategy may be a folder of per-stage files; they are merged automatically.

  --rank      write only these destination ranks (repeatable); only their source ranks need to exist
  --dtype     cast floating-point tensors (bfloat16, float16, float32, float64), rounding to nearest-even
  --exclude   leave out parameters whose names match, e.g. '^(adam_[mv]|accu_grads)\\.|^global_step$'
  --crc         append MindSpore's CRC-32 trailer to .ckpt outputs
  --verify-crc  check the CRC-32 of every source that has one (sources a rank reads whole are always checked)
  --sha256      also record each output's SHA-256 (against tampering; slower) besides its XXH3-128 checksum
  --overwrite   replace another conversion already in --dst: its outputs and manifest are deleted first
  --fsync       flush each output to disk before it gets its final name (safe against power loss; slower)
  --jobs        destination ranks written in parallel (default: number of cores)

Distributed runs (README, "Converting on the cluster"): one process per worker, each writing its share.
  --worker      this process is worker <i> of <n>; without it, mpirun (OMPI_COMM_WORLD_RANK/SIZE), srun
                (SLURM_PROCID/NTASKS) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) say which it is
  --workers     the number of workers (required for Kubernetes; else it must agree with the launcher)
  --rank-table  each worker writes the ranks its own server loads (found by host name or address);
                without it ranks are dealt by bytes to write
  --cluster     profile whose SSH hosts also identify the servers
Each worker keeps shardscope-manifest.worker-<i>-of-<n>.json and .shardscope-lock.worker-<i>-of-<n>;
re-running a worker resumes it; "shardscope verify <dst>" merges the workers' manifests.

--dst must be new or empty, or hold this same conversion: re-running resumes (outputs that
shardscope-manifest.json vouches for are verified and skipped). It must not be, or lie inside, the source.
One run at a time writes a destination (it holds <dst>/.shardscope.lock); sources changed after planning
are refused. Exit codes: 0 done, 2 bad input (nothing written), 130 cancelled (finished outputs kept).
`

export async function transformCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('transform', argv, {
    ...PLAN_OPTIONS,
    jobs: { type: 'string' },
    fsync: { type: 'boolean' },
    sha256: { type: 'boolean' },
    ...WORKER_OPTIONS
  })
  if (values.help) {
    io.out(TRANSFORM_USAGE)
    return 0
  }
  const jobs = values.jobs === undefined ? undefined : requireInteger('--jobs', values.jobs)
  if (jobs === 0) throw new ShardscopeError('BAD_INPUT', '--jobs must be at least 1.')
  const workers = values.workers === undefined ? undefined : requireInteger('--workers', values.workers)
  const slot = workerSlot(values.worker, workers, process.env)
  // The first line says which worker this is and who said so, before any slow planning.
  if (slot) io.err(`${describeSlot(slot)}\n`)
  const input = await planInputFrom(values, true)
  let worker: WorkerRun | undefined
  let summary
  let plan
  try {
    worker = slot ? await planWorkerShare(values, slot, input, io) : undefined
    plan = worker?.plan ?? (await planConversion(input))
    const errors = printProblems(io, plan.problems)
    if (errors.length > 0) {
      throw new ShardscopeError(
        'PLAN_INVALID',
        `nothing was written: ${errors.length} problem${errors.length === 1 ? '' : 's'} above must be fixed first.`
      )
    }
    if (worker) io.err(`${worker.summary}\n`)
    const crc = describeCrcChecks(plan)
    if (crc && !values.json) io.err(`${crc}\n`)
    const printer = progressPrinter(io)
    summary = await runTransform(plan, {
      ...(jobs !== undefined ? { jobs } : {}),
      signal: io.signal,
      durable: values.fsync === true,
      sha256: values.sha256 === true,
      onProgress: (p) => {
        printer.update(p)
        worker?.progress.update(p)
      },
      ...(input.open ? { open: input.open } : {}),
      ...(worker ? { scope: worker.scope } : {})
    })
    printer.finish()
  } catch (err) {
    await recordWorkerEnd(worker, err)
    throw err
  }
  await recordWorkerEnd(worker)
  if (values.json) {
    const share = worker && {
      ...worker.share,
      count: worker.assignment.count,
      basis: worker.assignment.basis
    }
    io.out(
      JSON.stringify({
        ...summary,
        problems: plan.problems,
        ...(slot ? { worker: { ...slot, share } } : {})
      }) + '\n'
    )
    return 0
  }
  const written = summary.outputs.filter((o) => !o.skipped).length
  // The strongest digest asked for: SHA-256 with --sha256, else the XXH3-128 every output gets.
  const shown = values.sha256 === true ? 'sha256' : 'xxh3_128'
  io.out(
    formatTable(
      ['rank', 'file', 'size', shown === 'sha256' ? 'sha256' : 'xxh3-128', ''],
      summary.outputs.map((o) => [
        o.rank,
        o.output,
        formatBytes(o.size),
        (o.hashes[shown] ?? o.hashes.sha256 ?? o.hashes.xxh3_128 ?? '').slice(0, 16),
        o.skipped ? 'already done, verified' : 'written'
      ]),
      [0, 2]
    ) +
      `\nWrote ${written} file${written === 1 ? '' : 's'} (${formatBytes(summary.bytesWritten)}) in ${formatDuration(summary.seconds)}` +
      (written < summary.outputs.length
        ? `; ${summary.outputs.length - written} were already done and verified`
        : '') +
      `.\n` +
      (worker
        ? `Worker ${worker.share.index}/${worker.assignment.count}'s share is done. When every worker is, "shardscope verify ${plan.destination.folder}" checks them all.\n`
        : summary.complete.done < summary.complete.of
          ? `The destination holds ${summary.complete.done} of the conversion's ${summary.complete.of} destination ranks.\n`
          : '') +
      `Manifest: ${summary.manifest}\n`
  )
  return 0
}
