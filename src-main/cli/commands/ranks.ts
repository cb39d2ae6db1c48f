import { ShardscopeError } from '../../engine/errors'
import { sourceRankLists } from '../../engine/plan/rank-lists'
import { jsonForTerminal } from '../../engine/util/terminal-text'
import { parseCommandArgs, requireInteger } from '../args'
import type { CliIO } from '../io'
import { readStrategies, STRATEGY_OPTIONS } from '../strategy-args'

export const RANKS_USAGE = `Usage: shardscope ranks [--dst-rank <r>] [--src-strategy <file|dir>] [--dst-strategy <file|dir>] [--json]

The source ranks each destination rank needs (what MindSpore's rank_list_for_transform answers), from the
strategies alone, never more than it reads. With --dst-rank: a JSON array for that rank; without: a JSON object
{"<rank>": [...], ...} for every destination rank.
`

export async function ranksCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('ranks', argv, {
    'dst-rank': { type: 'string' },
    ...STRATEGY_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    io.out(RANKS_USAGE)
    return 0
  }
  if (positionals.length > 0)
    throw new ShardscopeError(
      'BAD_INPUT',
      `unexpected argument "${positionals[0]}"; strategies are given with --src-strategy and --dst-strategy.`
    )
  const { source, destination } = await readStrategies(values)
  if (source && destination) {
    const names = new Set(source.layouts.map((l) => l.name))
    if (!destination.layouts.some((l) => names.has(l.name))) {
      io.err(
        'warning: the two strategies have no parameter in common, so the lists below only cover entries no strategy lists (global_step and the like); check that they belong to the same model.\n'
      )
    }
  }
  if (values['dst-rank'] !== undefined) {
    const rank = requireInteger('--dst-rank', values['dst-rank'])
    const lists = sourceRankLists(source, destination, [rank])
    io.out(jsonForTerminal(lists.get(rank)) + '\n')
    return 0
  }
  const lists = sourceRankLists(source, destination)
  io.out(jsonForTerminal(Object.fromEntries([...lists].map(([r, l]) => [String(r), l]))) + '\n')
  return 0
}
