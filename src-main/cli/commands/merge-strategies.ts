import { ShardscopeError } from '../../engine/errors'
import {
  readStrategyFile,
  readStrategyInput,
  writeStrategyFile
} from '../../engine/formats/strategy/strategy-file'
import { mergeStageStrategies } from '../../engine/formats/strategy/strategy-merge'
import { stagesOf } from '../../engine/model/strategy-set'
import { parseCommandArgs } from '../args'
import type { CliIO } from '../io'

export const MERGE_USAGE = `Usage: shardscope merge-strategies <dir | files...> --out <file>

Merges per-stage pipeline strategy files into one file, exactly as MindSpore's merge_pipeline_strategys does
(names get "<stage>-" prefixes). The output is JSON if --out ends in .json, protobuf otherwise.
`

export async function mergeStrategiesCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('merge-strategies', argv, {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    io.out(MERGE_USAGE)
    return 0
  }
  if (values.out === undefined) throw new ShardscopeError('BAD_INPUT', '--out <file> is required.')
  if (positionals.length === 0)
    throw new ShardscopeError(
      'BAD_INPUT',
      'give a folder of per-stage strategy files, or the files themselves.'
    )
  const merged =
    positionals.length === 1
      ? await readStrategyInput(positionals[0]!)
      : mergeStageStrategies(await Promise.all(positionals.map(readStrategyFile)), positionals.join(', '))
  if (!merged.merged) {
    // A single per-stage file: merging it alone still yields the prefixed, merged form.
    Object.assign(merged, mergeStageStrategies([merged], positionals[0]!))
  }
  await writeStrategyFile(merged, values.out)
  io.out(
    `Merged ${stagesOf(merged).length} pipeline stage${stagesOf(merged).length === 1 ? '' : 's'} (${merged.layouts.length} parameter layouts) into ${values.out}.\n`
  )
  return 0
}
