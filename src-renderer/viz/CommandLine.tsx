import { CopyButton } from '../views/run/CopyButton'

interface CommandLineProps {
  /** The command exactly as a shell runs it; this is what Copy puts on the clipboard. */
  command: string
  /** What is shown, when a secret (a hex key) must not be on screen; the copy still has it. */
  shown?: string
  label: string
  testId?: string
}

/** A shell command for doing the same from a terminal or a batch job, with a Copy button. */
export function CommandLine({ command, shown, label, testId }: CommandLineProps) {
  return (
    <div className="command-line" data-testid={testId}>
      <code className="mono" data-command={command} aria-label={label}>
        {shown ?? command}
      </code>
      <CopyButton text={command} label={`Copy ${label.toLowerCase()}`}>
        Copy
      </CopyButton>
    </div>
  )
}
