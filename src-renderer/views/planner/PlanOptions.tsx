import type { ReactNode } from 'react'
import type { CipherChoice, DraftField } from '../../store/plan-request'
import { useAppStore } from '../../store/app-store'
import { PathField } from './PathField'

/** Drops Adam moments, gradient accumulators and the step counter: what inference does not need. */
export const INFERENCE_ONLY_EXCLUDE = '^(adam_[mv]|accu_grads)\\.|^global_step$'

const DTYPES = [
  { value: '', label: 'Keep as is' },
  { value: 'bfloat16', label: 'bfloat16' },
  { value: 'float16', label: 'float16' },
  { value: 'float32', label: 'float32' },
  { value: 'float64', label: 'float64' }
]

const MODES: CipherChoice[] = ['AES-GCM', 'AES-CBC', 'SM4-CBC']

interface PlanOptionsProps {
  problems: Partial<Record<DraftField, string>>
  children: ReactNode
}

/** Every option `shardscope transform` has, each with the CLI flag it sets in its tooltip. */
export function PlanOptions({ problems, children }: PlanOptionsProps) {
  const draft = useAppStore((s) => s.planRequest)
  const setDraft = useAppStore((s) => s.setPlanRequest)
  const error = (field: DraftField) =>
    problems[field] && (
      <div className="field-error" role="alert">
        {problems[field]}
      </div>
    )
  return (
    <fieldset className="plan-options">
      <legend>Options</legend>
      <div className="option-grid">
        <div className="field">
          <label htmlFor="plan-format">Format</label>
          <select
            id="plan-format"
            title="--format"
            value={draft.format}
            onChange={(e) => setDraft({ format: e.target.value as 'ckpt' | 'safetensors' })}
          >
            <option value="ckpt">MindSpore .ckpt</option>
            <option value="safetensors">safetensors</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="plan-dtype">Cast floats to</label>
          <select
            id="plan-dtype"
            title="--dtype: floating-point tensors only, rounded to nearest-even"
            value={draft.dtype ?? ''}
            onChange={(e) => setDraft({ dtype: e.target.value || undefined })}
          >
            {DTYPES.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className={`field${problems.prefix ? ' invalid' : ''}`}>
          <label htmlFor="plan-prefix">Output prefix</label>
          <input
            id="plan-prefix"
            type="text"
            className="mono"
            title="--prefix: outputs are rank_<r>/<prefix><r>.ckpt"
            placeholder="checkpoint_"
            spellCheck={false}
            value={draft.prefix ?? ''}
            aria-invalid={problems.prefix ? true : undefined}
            onChange={(e) => setDraft({ prefix: e.target.value || undefined })}
          />
          {error('prefix')}
        </div>
        <div className={`field${problems.ranks ? ' invalid' : ''}`}>
          <label htmlFor="plan-ranks">Destination ranks</label>
          <input
            id="plan-ranks"
            type="text"
            className="mono"
            title="--rank (repeated): write only these; only the source ranks they need must exist"
            placeholder="all, or e.g. 0-3, 6"
            spellCheck={false}
            value={draft.ranks ?? ''}
            aria-invalid={problems.ranks ? true : undefined}
            onChange={(e) => setDraft({ ranks: e.target.value || undefined })}
          />
          {error('ranks')}
        </div>
        <div className={`field${problems.jobs ? ' invalid' : ''}`}>
          <label htmlFor="plan-jobs">Ranks in parallel</label>
          <input
            id="plan-jobs"
            type="text"
            inputMode="numeric"
            className="mono"
            title="--jobs: destination ranks written at once, one worker thread each"
            placeholder="one per core"
            value={draft.jobs ?? ''}
            aria-invalid={problems.jobs ? true : undefined}
            onChange={(e) => setDraft({ jobs: e.target.value || undefined })}
          />
          {error('jobs')}
        </div>
      </div>
      <div className="check-row">
        <label title="--crc: MindSpore's CRC-32 trailer at the end of each .ckpt">
          <input
            type="checkbox"
            checked={draft.crc}
            aria-invalid={problems.crc ? true : undefined}
            onChange={(e) => setDraft({ crc: e.target.checked })}
          />{' '}
          Add CRC trailer
        </label>
        <label title="--verify-crc: check the CRC-32 trailer of every source that has one, also of files the run reads only in part (reads those files whole once more)">
          <input
            type="checkbox"
            checked={draft.verifyCrc}
            onChange={(e) => setDraft({ verifyCrc: e.target.checked })}
          />{' '}
          Check source CRCs
        </label>
        <label title="--fsync: flush each output to disk before it gets its final name (slower)">
          <input
            type="checkbox"
            checked={draft.fsync}
            onChange={(e) => setDraft({ fsync: e.target.checked })}
          />{' '}
          Flush to disk (fsync)
        </label>
        <label title="--sha256: record each output's SHA-256 as well as its XXH3-128 checksum, so a deliberately altered file is caught too (slower: SHA-256 runs at about a tenth of XXH3's speed)">
          <input
            type="checkbox"
            checked={draft.sha256}
            onChange={(e) => setDraft({ sha256: e.target.checked })}
          />{' '}
          Record SHA-256 too
        </label>
      </div>
      {error('crc')}
      <div className={`field${problems.exclude ? ' invalid' : ''}`}>
        <div className="label-row">
          <label htmlFor="plan-exclude">Exclude parameters</label>
          <button
            type="button"
            className="link"
            onClick={() => setDraft({ exclude: INFERENCE_ONLY_EXCLUDE })}
            aria-pressed={draft.exclude === INFERENCE_ONLY_EXCLUDE}
            title={`Sets the pattern to ${INFERENCE_ONLY_EXCLUDE}`}
          >
            Inference only (drop optimizer states)
          </button>
        </div>
        <input
          id="plan-exclude"
          type="text"
          className="mono"
          title="--exclude: a regular expression over parameter names"
          placeholder="regular expression, e.g. ^adam_"
          spellCheck={false}
          value={draft.exclude ?? ''}
          aria-invalid={problems.exclude ? true : undefined}
          onChange={(e) => setDraft({ exclude: e.target.value || undefined })}
        />
        {error('exclude')}
      </div>
      <Decryption problems={problems} />
      {children}
    </fieldset>
  )
}

function Decryption({ problems }: { problems: Partial<Record<DraftField, string>> }) {
  const draft = useAppStore((s) => s.planRequest)
  const setDraft = useAppStore((s) => s.setPlanRequest)
  return (
    <details className="decryption" open={!!draft.decKey}>
      <summary>Encrypted source (decryption key)</summary>
      <div className="choice-row" role="radiogroup" aria-label="Key given as">
        <label>
          <input
            type="radio"
            name="key-kind"
            checked={draft.decKeyKind === 'file'}
            onChange={() => setDraft({ decKeyKind: 'file', decKey: undefined })}
          />{' '}
          Key file
        </label>
        <label>
          <input
            type="radio"
            name="key-kind"
            checked={draft.decKeyKind === 'hex'}
            onChange={() => setDraft({ decKeyKind: 'hex', decKey: undefined })}
          />{' '}
          Hex digits
        </label>
      </div>
      <div className="option-grid">
        {draft.decKeyKind === 'file' ? (
          <PathField
            label="Key file"
            browse="file"
            value={draft.decKey}
            placeholder="/path/to/key.bin (raw 16, 24 or 32 bytes)"
            error={problems.decKey}
            onChange={(decKey) => setDraft({ decKey: decKey || undefined })}
          />
        ) : (
          <div className={`field${problems.decKey ? ' invalid' : ''}`}>
            <label htmlFor="plan-key">Key</label>
            <input
              id="plan-key"
              type="password"
              className="mono"
              autoComplete="off"
              placeholder="32, 48 or 64 hex digits"
              value={draft.decKey ?? ''}
              aria-invalid={problems.decKey ? true : undefined}
              onChange={(e) => setDraft({ decKey: e.target.value || undefined })}
            />
            {problems.decKey && (
              <div className="field-error" role="alert">
                {problems.decKey}
              </div>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor="plan-mode">Cipher</label>
          <select
            id="plan-mode"
            title="--dec-mode"
            value={draft.decMode ?? ''}
            disabled={!draft.decKey}
            onChange={(e) => setDraft({ decMode: (e.target.value || undefined) as CipherChoice | undefined })}
          >
            <option value="">AES-GCM (MindSpore's default)</option>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      </div>
    </details>
  )
}
