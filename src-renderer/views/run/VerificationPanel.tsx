import type { VerifyStatus } from '../../../src-main/api/contract'
import { formatBytes, plural } from '../../app/format'
import { shellCommand } from '../../store/plan-request'
import type { VerificationView } from '../../store/verify-slice'
import { useAppStore } from '../../store/app-store'
import { CommandLine } from '../../viz/CommandLine'
import { ElidedPath } from '../../viz/ElidedPath'
import { ProgressBar } from './ProgressBar'

export const VERIFY_WORDS: Record<VerifyStatus, string> = {
  ok: 'verified',
  missing: 'missing',
  'size-mismatch': 'wrong size',
  'checksum-mismatch': 'checksum mismatch',
  unverifiable: 'no hash this version can check'
}

/** A converted folder re-hashed against its manifest: file by file as results come in, then the verdict. */
export function VerificationPanel({ verification }: { verification: VerificationView }) {
  const cancelVerify = useAppStore((s) => s.cancelVerify)
  const { folder, total, checked, result, failure } = verification
  const rows = [...(result?.outputs ?? checked)].sort((a, b) => a.rank - b.rank)
  const bad = rows.filter((r) => r.status !== 'ok').length
  return (
    <section className="panel manifest" aria-label="Verification" data-testid="verification">
      <div className="manifest-head">
        <h2>Verify against the manifest</h2>
        <ElidedPath path={folder} className="mono" />
      </div>
      <CommandLine
        command={shellCommand(['verify', folder])}
        label="Verify command"
        testId="verify-command"
      />
      {failure && (
        <div className="verified bad" role="alert" data-testid="verify-verdict" data-verified="false">
          {failure}
        </div>
      )}
      {!failure && !result && (
        <div className="run-actions">
          <ProgressBar fraction={total > 0 ? checked.length / total : 0} label="Verification progress" />
          <span role="status">
            {checked.length} of {plural(total, 'output')} checked
          </span>
          <button type="button" onClick={() => void cancelVerify()}>
            Stop
          </button>
        </div>
      )}
      {result && (
        <div
          className={`verified ${result.verified ? 'ok' : 'bad'}`}
          data-testid="verify-verdict"
          data-verified={result.verified}
          role="status"
        >
          {result.outputs.length === 0
            ? '✗ The manifest lists no output: there is nothing to vouch for.'
            : result.verified
              ? `✓ ${result.outputs.length === 1 ? 'The output matches' : `All ${result.outputs.length} outputs match`} the manifest`
              : `✗ ${bad} of ${plural(result.outputs.length, 'output')} ${bad === 1 ? 'does' : 'do'} not match the manifest`}
        </div>
      )}
      {rows.length > 0 && (
        <table className="data outputs">
          <thead>
            <tr>
              <th scope="col" className="num">
                Rank
              </th>
              <th scope="col">Output</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.output} data-testid="verify-row" data-rank={row.rank} data-status={row.status}>
                <td className="num">{row.rank}</td>
                <td className="mono">{row.output}</td>
                <td className="num">
                  {formatBytes(row.size)}
                  {row.status === 'size-mismatch' && (
                    <span className="muted"> (manifest: {formatBytes(row.expectedSize)})</span>
                  )}
                </td>
                <td className={`verify-status ${row.status === 'ok' ? 'ok' : 'bad'}`}>
                  {VERIFY_WORDS[row.status]}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
