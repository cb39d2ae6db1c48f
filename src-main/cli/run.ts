import { describeFailure, EXIT_BAD_INPUT } from './exit-codes'
import type { CliIO } from './io'
import { escapeForTerminal } from '../engine/util/terminal-text'

type Command = (argv: string[], io: CliIO) => Promise<number>

// Each command's modules load when it runs, so `shardscope --help` (and every command) pays only for its own.
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  inspect: {
    load: async () => (await import('./commands/inspect')).inspectCommand,
    summary: 'show what a strategy, checkpoint, folder or rank table holds'
  },
  transform: {
    load: async () => (await import('./commands/transform')).transformCommand,
    summary: 'convert a distributed checkpoint to another parallel layout'
  },
  plan: {
    load: async () => (await import('./commands/plan')).planCommand,
    summary: 'preview a conversion: sources, bytes and memory per rank, problems'
  },
  ranks: {
    load: async () => (await import('./commands/ranks')).ranksCommand,
    summary: 'the source ranks each destination rank needs'
  },
  'merge-strategies': {
    load: async () => (await import('./commands/merge-strategies')).mergeStrategiesCommand,
    summary: 'merge per-stage pipeline strategy files'
  },
  verify: {
    load: async () => (await import('./commands/verify')).verifyCommand,
    summary: 're-hash converted outputs against their manifest'
  },
  nodes: {
    load: async () => (await import('./commands/nodes')).nodesCommand,
    summary: 'rank → server → device, and the files each server needs'
  },
  probe: {
    load: async () => (await import('./commands/probe')).probeCommand,
    summary: 'the NPUs of every server (npu-smi over SSH), and whether shards fit'
  },
  push: {
    load: async () => (await import('./commands/push')).pushCommand,
    summary: 'place a converted checkpoint on its servers, verified'
  },
  launch: {
    load: async () => (await import('./commands/launch')).launchCommand,
    summary: 'run a conversion as workers under mpirun, Slurm or Kubernetes'
  }
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
    const run = await command.load()
    return await run(rest, io)
  } catch (err) {
    const failure = describeFailure(err)
    // Messages quote names and paths from users' files: never let those drive the terminal or forge lines.
    io.err(`shardscope ${name}: ${escapeForTerminal(failure.message)}\n`)
    if (process.env.SHARDSCOPE_DEBUG === '1' && err instanceof Error && err.stack) io.err(err.stack + '\n')
    return failure.code
  }
}
