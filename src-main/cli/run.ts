import { inspectCommand } from './commands/inspect'
import { mergeStrategiesCommand } from './commands/merge-strategies'
import { nodesCommand } from './commands/nodes'
import { planCommand } from './commands/plan'
import { probeCommand } from './commands/probe'
import { pushCommand } from './commands/push'
import { ranksCommand } from './commands/ranks'
import { transformCommand } from './commands/transform'
import { verifyCommand } from './commands/verify'
import { describeFailure, EXIT_BAD_INPUT } from './exit-codes'
import type { CliIO } from './io'
import { escapeForTerminal } from '../engine/util/terminal-text'

type Command = (argv: string[], io: CliIO) => Promise<number>

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  inspect: { run: inspectCommand, summary: 'show what a strategy, checkpoint, folder or rank table holds' },
  transform: {
    run: transformCommand,
    summary: 'convert a distributed checkpoint to another parallel layout'
  },
  plan: { run: planCommand, summary: 'preview a conversion: sources, bytes and memory per rank, problems' },
  ranks: { run: ranksCommand, summary: 'the source ranks each destination rank needs' },
  'merge-strategies': { run: mergeStrategiesCommand, summary: 'merge per-stage pipeline strategy files' },
  verify: { run: verifyCommand, summary: 're-hash converted outputs against their manifest' },
  nodes: { run: nodesCommand, summary: 'rank → server → device, and the files each server needs' },
  probe: {
    run: probeCommand,
    summary: 'the NPUs of every server (npu-smi over SSH), and whether shards fit'
  },
  push: { run: pushCommand, summary: 'place a converted checkpoint on its servers, verified' }
}

export const USAGE = `Usage: shardscope <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(18)}${c.summary}`)
  .join('\n')}

Run "shardscope <command> --help" for a command's options.
`

/** Runs one CLI invocation and returns its exit code; every failure becomes one line on stderr. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE)
    return name === undefined ? EXIT_BAD_INPUT : 0
  }
  const command = COMMANDS[name]
  if (!command) {
    io.err(`shardscope: unknown command "${escapeForTerminal(name)}".\n${USAGE}`)
    return EXIT_BAD_INPUT
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    const failure = describeFailure(err)
    // Messages quote names and paths from users' files: never let those drive the terminal or forge lines.
    io.err(`shardscope ${name}: ${escapeForTerminal(failure.message)}\n`)
    if (process.env.SHARDSCOPE_DEBUG === '1' && err instanceof Error && err.stack) io.err(err.stack + '\n')
    return failure.code
  }
}
