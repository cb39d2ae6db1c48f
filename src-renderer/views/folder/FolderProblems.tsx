import type { FolderDescription } from '../../../src-main/api/contract'
import { baseName } from '../../app/format'

/** What is wrong with the folder, on its own and against the active strategy, or a clear all-clear. */
export function FolderProblems({
  problems,
  pairedWith
}: {
  problems: FolderDescription['problems']
  pairedWith: string | undefined
}) {
  return (
    <div className={`panel folder-problems${problems.length > 0 ? ' has-problems' : ''}`}>
      <h2>
        {problems.length === 0 ? 'Problems' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}
      </h2>
      {problems.length === 0 ? (
        <div className="folder-ok" data-testid="folder-ok">
          <span aria-hidden="true">✓</span> No problems found
          {pairedWith
            ? `: no rank is missing and the files agree with their strategy, ${baseName(pairedWith)}.`
            : '. Pair it with the strategy that describes it (in Open) to check the files against it too.'}
        </div>
      ) : (
        <ul className="problems">
          {problems.map((problem) => (
            <li
              key={problem.message}
              className={problem.severity}
              data-testid="folder-problem"
              data-severity={problem.severity}
            >
              {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
