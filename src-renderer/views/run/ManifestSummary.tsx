import { useState } from 'react'
import type { JobResult } from '../../../src-main/api/contract'
import { client } from '../../api/client'
import { formatBytes, formatDuration, plural } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { shellCommand } from '../../store/plan-request'
import { CommandLine } from '../../viz/CommandLine'
import { CopyButton } from './CopyButton'

/** What was written, with checksums, and where. */
export function ManifestSummary({ result }: { result: JobResult }) {
  const [reveal, setReveal] = useState<{ fallback: boolean; error?: string }>()
  const openResult = useAppStore((s) => s.openResult)
  const pairedWith = useAppStore((s) => s.job?.request?.destination.strategy)
  const written = result.outputs.filter((o) => !o.skipped)
  const openFolder = async () => {
    try {
      const { revealed } = await client.request('path.reveal', { path: result.destination })
      setReveal({ fallback: !revealed })
    } catch (err) {
      setReveal({ fallback: true, error: (err as Error).message })
    }
  }

  return (
    <section className="panel manifest" aria-label="Manifest" data-testid="manifest-summary">
      <div className="manifest-head">
        <h2>Outputs</h2>
        <span className="muted">
          {written.length} written, {result.outputs.length - written.length} already done ·{' '}
          {formatBytes(result.outputs.reduce((s, o) => s + o.size, 0))} in {formatDuration(result.seconds)}
        </span>
      </div>
      <div
        className={`verified ${result.verified ? 'ok' : 'bad'}`}
        data-testid="verified"
        data-verified={result.verified}
      >
        {result.verified
          ? result.outputs.length === 1
            ? '✓ The output was verified when written'
            : `✓ All ${plural(result.outputs.length, 'output')} verified when written`
          : '✗ Checksum verification failed: at least one output does not match the checksum recorded in the manifest. Run the conversion again to rewrite it.'}
      </div>
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
            <th scope="col">Checksum</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {result.outputs.map((output) => (
            <tr
              key={output.rank}
              data-testid="output-row"
              data-rank={output.rank}
              data-skipped={output.skipped}
            >
              <td className="num">{output.rank}</td>
              <td className="mono">{output.output}</td>
              <td className="num">{formatBytes(output.size)}</td>
              <OutputHash rank={output.rank} hashes={output.hashes} />
              <td className="muted">{output.skipped ? 'already done' : 'written'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="manifest-foot">
        <div>
          <span className="muted">Manifest </span>
          <span className="mono" data-testid="manifest-path">
            {result.manifest}
          </span>
        </div>
        <div className="run-actions">
          <button
            type="button"
            className="primary"
            onClick={() => void openResult()}
            title={
              pairedWith
                ? 'Open the converted folder paired with its destination strategy'
                : 'Open the converted folder'
            }
          >
            Open result
          </button>
          <button type="button" onClick={() => void openFolder()}>
            Show in file manager
          </button>
        </div>
      </div>
      <CommandLine
        command={shellCommand(['verify', result.destination])}
        label="Verify command"
        testId="result-verify-command"
      />
      {reveal?.fallback && (
        <div className="reveal-fallback" data-testid="folder-path">
          <span className="muted">
            {reveal.error ?? 'The folder cannot be opened from the browser. It is at'}
          </span>{' '}
          <span className="mono">{result.destination}</span>{' '}
          <CopyButton text={result.destination} label="Copy path">
            Copy path
          </CopyButton>
        </div>
      )}
    </section>
  )
}

/** The strongest digest the manifest holds for an output: SHA-256 when the run recorded it, else XXH3-128. */
function OutputHash({ rank, hashes }: { rank: number; hashes: JobResult['outputs'][number]['hashes'] }) {
  const [label, digest] = hashes.sha256
    ? ['SHA-256', hashes.sha256]
    : hashes.xxh3_128
      ? ['XXH3-128', hashes.xxh3_128]
      : ['', '']
  if (!digest) return <td className="muted">none</td>
  return (
    <td className="mono sha" title={`${label} ${digest}`} data-hash={label} data-digest={digest}>
      <span className="muted">{label}</span> {digest.slice(0, 16)}…{' '}
      <CopyButton text={digest} label={`Copy ${label} of rank ${rank}`}>
        Copy
      </CopyButton>
    </td>
  )
}
