import type { ClusterDescription } from '../../../src-main/api/contract'
import { CopyButton } from '../run/CopyButton'

/** The msrun line per server and the MindFormers settings for the pushed layout, copyable. */
export function LaunchPanel({ launch }: { launch: NonNullable<ClusterDescription['launch']> }) {
  const yaml = launch.mindformers.join('\n')
  return (
    <section className="panel launch-panel" data-testid="launch-panel">
      <h2>Launch</h2>
      {launch.commands.map((command) => (
        <div key={command.server} className="launch-line">
          <span className="launch-server">{command.server}</span>
          <code className="mono" data-testid="msrun-line">
            {command.msrun}
          </code>
          <CopyButton text={command.msrun} label={`Copy the msrun line of ${command.server}`}>
            Copy
          </CopyButton>
        </div>
      ))}
      <div className="launch-line">
        <span className="launch-server">MindFormers</span>
        <pre className="mono">{yaml}</pre>
        <CopyButton text={yaml} label="Copy the MindFormers settings">
          Copy
        </CopyButton>
      </div>
    </section>
  )
}
