import { ShardscopeError } from '../../engine/errors'
import { formatMap } from '../../engine/model/strategy-set'
import { escapeForTerminal, jsonForTerminal } from '../../engine/util/terminal-text'
import { inspectPath, type InspectReport } from '../../services/inspect'
import { parseCommandArgs } from '../args'
import { DECRYPT_OPTIONS, decryptionOptions } from '../strategy-args'
import type { CliIO } from '../io'
import { formatBytes, formatTable } from '../table'

export const INSPECT_USAGE = `Usage: shardscope inspect <path> [--json] [--verify-crc] [--dec-key <hex|@file>] [--dec-mode <mode>]

Shows what <path> holds: a strategy file (protobuf or JSON), a folder of per-stage strategy files, a checkpoint
file (.ckpt or .safetensors), a checkpoint folder (rank_N/ subfolders) or an HCCL rank table. The kind is told
from the content, not the name.

  --json          print one JSON document instead of a table
  --verify-crc    recompute a .ckpt's CRC-32 trailer and fail if it does not match
  --dec-key       key of an encrypted .ckpt, as hex or @path-to-raw-key-file
  --dec-mode      AES-GCM (default), AES-CBC or SM4-CBC
`

export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('inspect', argv, {
    json: { type: 'boolean' },
    'verify-crc': { type: 'boolean' },
    ...DECRYPT_OPTIONS,
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    io.out(INSPECT_USAGE)
    return 0
  }
  if (positionals.length !== 1) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `inspect takes exactly one path, got ${positionals.length}. Run "shardscope inspect --help" for usage.`
    )
  }
  const options = { ...decryptionOptions(values), verifyCrc: values['verify-crc'] === true }
  const report = await inspectPath(positionals[0]!, options)
  io.out(values.json ? jsonForTerminal(report) + '\n' : formatReport(report))
  return 0
}

function formatReport(report: InspectReport): string {
  switch (report.kind) {
    case 'strategy': {
      const stages = new Set(report.params.map((p) => p.stage))
      const rows = report.params.map((p) => [
        p.stage,
        p.name,
        `[${p.devMatrix.join(', ')}]`,
        formatMap(p.tensorMap),
        p.optShardSize === 0 ? '-' : `${p.optShardSize} (step ${p.optShardStep})`,
        p.field
      ])
      return (
        `Strategy: ${report.params.length} parameter layouts in ${stages.size} pipeline stage${stages.size === 1 ? '' : 's'}\n\n` +
        formatTable(['stage', 'parameter', 'device matrix', 'tensor map', 'opt shard', 'field'], rows, [0, 5])
      )
    }
    case 'checkpoint': {
      const total = report.params.reduce((sum, p) => sum + p.bytes, 0)
      const rows = report.params.map((p) => [
        p.name,
        p.dtype,
        p.legacyScalar ? '[0] (legacy scalar)' : `[${p.shape.join(', ')}]`,
        formatBytes(p.bytes)
      ])
      return (
        `Checkpoint: ${report.params.length} tensors, ${formatBytes(total)} of tensor data\n\n` +
        formatTable(['parameter', 'dtype', 'shape', 'bytes'], rows, [3])
      )
    }
    case 'checkpoint-folder': {
      const total = report.ranks.reduce((sum, r) => sum + r.bytes, 0)
      const rows = report.ranks.map((r) => [r.rank, r.file, r.params, formatBytes(r.bytes)])
      return (
        `Checkpoint folder: ${report.ranks.length} ranks, ${formatBytes(total)}\n\n` +
        formatTable(['rank', 'file', 'params', 'size'], rows, [0, 2, 3]) +
        formatProblems(report.problems)
      )
    }
    case 'rank-table': {
      const rows = report.ranks.map((r) => [r.rank, r.server, r.device])
      return (
        `Rank table: ${report.servers.length} server${report.servers.length === 1 ? '' : 's'}, ${report.ranks.length} ranks\n\n` +
        formatTable(['rank', 'server', 'device'], rows, [0, 2]) +
        formatProblems(report.problems)
      )
    }
  }
}

function formatProblems(problems: string[]): string {
  if (problems.length === 0) return '\nNo problems found.\n'
  return `\nProblems:\n${problems.map((p) => `  - ${escapeForTerminal(p)}`).join('\n')}\n`
}
