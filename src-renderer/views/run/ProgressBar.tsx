interface ProgressBarProps {
  /** 0–1. */
  fraction: number
  label: string
  tone?: 'active' | 'good' | 'bad' | 'muted'
  testId?: string
  large?: boolean
}

/** A horizontal bar with the progressbar role, valued 0–100. */
export function ProgressBar({ fraction, label, tone = 'active', testId, large }: ProgressBarProps) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100)
  return (
    <div
      className={`progress-bar ${tone}${large ? ' large' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      data-testid={testId}
    >
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  )
}
