import { createContext, runInContext } from 'node:vm'
import { ShardscopeError } from '../errors'

/**
 * A user's regular expression can backtrack catastrophically (`^(a+)+$` against a long name takes years), and
 * V8 runs it to the end on the thread that asked: in the app that thread is the planner worker, which would stay
 * wedged for the session. So names are matched inside a V8 context with a time limit, which V8 enforces even in
 * the middle of a regular expression; the thread stays usable and the user gets a sentence that names the regex.
 */
const MATCH_BUDGET_MS = 2000

export function compileExclude(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined
  try {
    return new RegExp(pattern)
  } catch (err) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `--exclude is not a valid regular expression: ${(err as Error).message}.`
    )
  }
}

/** The names the pattern matches (`RegExp.test`, as MindSpore users write them), within the time budget. */
export function matchExcluded(pattern: string | undefined, names: readonly string[]): Set<string> {
  if (pattern === undefined) return new Set()
  compileExclude(pattern)
  const context = createContext({ pattern, names: [...names] })
  let matched: string
  try {
    // Indices cross the context boundary as one string: no objects of the other realm leak out.
    matched = runInContext(
      `(() => { const re = new RegExp(pattern); const hits = [];
        for (let i = 0; i < names.length; i++) if (re.test(names[i])) hits.push(i);
        return hits.join(','); })()`,
      context,
      { timeout: MATCH_BUDGET_MS }
    ) as string
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new ShardscopeError(
        'BAD_INPUT',
        `--exclude ${JSON.stringify(pattern)} takes longer than ${MATCH_BUDGET_MS / 1000} s to match ${names.length} parameter names: it backtracks catastrophically (nested repetition such as (a+)+ does). Simplify it, e.g. anchor it and avoid repeating a group that itself repeats.`
      )
    }
    throw err
  }
  return new Set(matched === '' ? [] : matched.split(',').map((i) => names[Number(i)]!))
}
