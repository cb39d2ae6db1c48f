import type { ClusterRunLaunched, ClusterRunProgress } from '../../../../src-main/api/contract'
import { listWords } from '../../../app/format'
import { WorkerProgressTable } from './WorkerProgressTable'

/** What a launch wrote (each file readable here), how it is started, and, once started, how it goes. */
export function LaunchResult({
  launched,
  progress
}: {
  launched: ClusterRunLaunched
  progress: ClusterRunProgress | undefined
}) {
  const launcher = progress?.launcher
  return (
    <div className="launch-result" data-testid="cluster-launch">
      <p data-testid="cluster-how-to" className="how-to">
        {launched.howTo}
      </p>
      {launched.shares.length > 0 && (
        <ul className="share-list" aria-label="Shares">
          {launched.shares.map((s) => (
            <li key={s.index} data-testid="worker-share">
              Worker {s.index}
              {s.server ? ` (${s.server})` : ''}: destination ranks {listWords(s.ranks)}
            </li>
          ))}
        </ul>
      )}
      {launched.files.map((file, i) => (
        <details key={file.path} className="launch-file" open={i === 0}>
          <summary className="mono" data-testid="launch-file">
            {file.path}
          </summary>
          {/* Scrolls when long: focusable, so it can be scrolled with the keyboard. */}
          <pre className="mono" tabIndex={0} aria-label={`Contents of ${file.path}`}>
            {file.content}
          </pre>
        </details>
      ))}
      {launcher && (
        <div
          className={`launcher-state ${launcher.state}`}
          data-testid="launcher-state"
          data-state={launcher.state}
        >
          {launcher.state === 'running'
            ? 'The launcher is running.'
            : launcher.code === 0
              ? 'The launcher ended without error.'
              : `The launcher ended with exit code ${launcher.code}: finished outputs are kept, and starting again resumes from them.`}
        </div>
      )}
      {launched.started && <WorkerProgressTable workers={progress?.workers ?? []} count={launched.workers} />}
      {launcher && launcher.output.trim() && (
        <details className="launch-file">
          <summary>Launcher output</summary>
          <pre className="mono" data-testid="launcher-output" tabIndex={0} aria-label="Launcher output">
            {launcher.output}
          </pre>
        </details>
      )}
    </div>
  )
}
