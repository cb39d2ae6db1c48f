import { useState } from 'react'

const SHOWN = 3

/** The strategy's own problems (or its disagreements with the checkpoint folder), above the table. */
export function StrategyProblems({ problems }: { problems: string[] }) {
  const [expanded, setExpanded] = useState(false)
  if (problems.length === 0) return null
  const shown = expanded ? problems : problems.slice(0, SHOWN)
  return (
    <div
      className="panel strategy-problems"
      role="region"
      aria-label="Strategy problems"
      data-testid="strategy-problems"
    >
      <h2>{problems.length === 1 ? '1 problem' : `${problems.length} problems`} with this strategy</h2>
      <ul className="problems">
        {shown.map((problem, i) => (
          <li key={i} className="warning">
            {problem}
          </li>
        ))}
      </ul>
      {problems.length > SHOWN && (
        <button type="button" className="link" onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show fewer' : `Show all ${problems.length}`}
        </button>
      )}
    </div>
  )
}
