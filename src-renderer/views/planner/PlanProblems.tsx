import { useState } from 'react'
import type { PlanProblem } from '../../../src-main/api/contract'

const GROUPS: { severity: PlanProblem['severity']; title: string; hint: string }[] = [
  { severity: 'error', title: 'Must be fixed', hint: 'the conversion cannot start until these are resolved' },
  { severity: 'warning', title: 'Worth checking', hint: 'the conversion can run, but check the result' },
  { severity: 'note', title: 'For your information', hint: '' }
]

// A mismatched model can produce one problem per parameter; the first few say what is wrong.
const FIRST_SHOWN = 8

/** The plan's validation problems in plain words, errors first. */
export function PlanProblems({ problems }: { problems: PlanProblem[] }) {
  if (problems.length === 0) {
    return (
      <div className="plan-ok" data-testid="plan-ok">
        ✓ No problems found: every destination block can be assembled from the source.
      </div>
    )
  }
  return (
    <div className="plan-problems">
      {GROUPS.map((group) => {
        const inGroup = problems.filter((p) => p.severity === group.severity)
        return inGroup.length === 0 ? null : (
          <ProblemGroup key={group.severity} {...group} problems={inGroup} />
        )
      })}
    </div>
  )
}

function ProblemGroup({
  severity,
  title,
  hint,
  problems
}: (typeof GROUPS)[number] & { problems: PlanProblem[] }) {
  const [showAll, setShowAll] = useState(false)
  const shown = showAll ? problems : problems.slice(0, FIRST_SHOWN)
  return (
    <section className={`problem-group ${severity}`} aria-label={title}>
      <h3>
        {title} <span className="count">{problems.length}</span>
        {hint && <span className="hint"> — {hint}</span>}
      </h3>
      <ul className="problems">
        {shown.map((problem, i) => (
          <li key={i} className={severity} data-testid="plan-problem" data-severity={severity}>
            {problem.message}
          </li>
        ))}
      </ul>
      {problems.length > FIRST_SHOWN && (
        <button type="button" className="link" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Show fewer' : `Show all ${problems.length}`}
        </button>
      )}
    </section>
  )
}
