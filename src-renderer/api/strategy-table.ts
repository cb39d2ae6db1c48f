import type { ParamRow, StrategyDescription, StrategyTable } from '../../src-main/api/contract'

/**
 * The rows of a strategy as the views use them, from the columns `strategy.describe` sends. Rows of one layout
 * share its arrays: nothing in the renderer changes a row once made.
 */
export function expandStrategyTable(table: StrategyTable): StrategyDescription {
  const { rows, layouts } = table
  const sharedStages = new Map(table.shared.map((s) => [s.name, s.stages]))
  const params: ParamRow[] = new Array(rows.names.length)
  for (let i = 0; i < rows.names.length; i++) {
    const name = rows.names[i]!
    const stage = rows.stages[i]!
    params[i] = {
      name,
      stage,
      stages: sharedStages.get(name) ?? [stage],
      ...layouts[rows.layouts[i]!]!,
      optimizerState: rows.optimizer[i] === 1
    }
  }
  return {
    path: table.path,
    format: table.format,
    merged: table.merged,
    stageCount: table.stageCount,
    stageDevices: table.stageDevices,
    params,
    problems: table.problems
  }
}
