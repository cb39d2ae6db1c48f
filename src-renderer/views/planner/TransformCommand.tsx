import { useMemo } from 'react'
import { checkDraft, shellCommand, transformArgs } from '../../store/plan-request'
import { useAppStore } from '../../store/app-store'
import { CommandLine } from '../../viz/CommandLine'

/** The `shardscope transform` command that does exactly what Start conversion will do. */
export function TransformCommand() {
  const draft = useAppStore((s) => s.planRequest)
  const command = useMemo(() => {
    if (Object.keys(checkDraft(draft)).length > 0) return undefined
    const args = transformArgs(draft)
    const hidden = draft.decKeyKind === 'hex' && draft.decKey
    const shown = hidden
      ? args.map((a, i) => (args[i - 1] === '--dec-key' ? '<key hidden; Copy includes it>' : a))
      : args
    return { full: shellCommand(args), shown: hidden ? shellCommand(shown) : undefined }
  }, [draft])
  if (!command) return null
  return (
    <section className="panel" aria-label="Command line">
      <h2>
        Command line <span className="muted">— the same conversion from a terminal</span>
      </h2>
      <CommandLine
        command={command.full}
        shown={command.shown}
        label="Transform command"
        testId="transform-command"
      />
    </section>
  )
}
