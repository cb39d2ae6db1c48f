import { useId } from 'react'
import { useAppStore } from '../../store/app-store'
import { itemsOfKind, pairedFolder, pairedStrategy, suggestionsFor } from '../../store/workspace-model'
import { ElidedPath } from '../../viz/ElidedPath'

/**
 * Which checkpoint folder a strategy describes (or which strategy describes a folder): the pair the user made,
 * or the choices with the good fits suggested first. Nothing is paired until the user says so.
 */
export function PairControl({ path, side }: { path: string; side: 'strategy' | 'folder' }) {
  const id = useId()
  const items = useAppStore((s) => s.items)
  const pairs = useAppStore((s) => s.pairs)
  const matches = useAppStore((s) => s.matches)
  const pair = useAppStore((s) => s.pair)
  const unpair = useAppStore((s) => s.unpair)
  const partner = side === 'strategy' ? pairedFolder(pairs, path) : pairedStrategy(pairs, path)
  const join = (other: string) => (side === 'strategy' ? pair(path, other) : pair(other, path))

  if (partner) {
    return (
      <div className="pair-line paired" data-testid="pair-line" data-paired={partner}>
        <span className="muted">
          {side === 'strategy' ? 'Describes checkpoint folder' : 'Described by strategy'}
        </span>
        <ElidedPath path={partner} className="mono pair-partner" />
        <button
          type="button"
          className="small"
          onClick={() =>
            void unpair(
              side === 'strategy' ? { strategy: path, folder: partner } : { strategy: partner, folder: path }
            )
          }
        >
          Unpair
        </button>
      </div>
    )
  }

  const others = itemsOfKind(items, side === 'strategy' ? 'checkpoint-folder' : 'strategy')
  if (others.length === 0) {
    return (
      <div className="pair-line muted" data-testid="pair-line">
        {side === 'strategy'
          ? 'Not paired: open its checkpoint folder to see real shapes, dtypes and bytes.'
          : 'Not paired: open the strategy that describes it to check the folder against it.'}
      </div>
    )
  }
  const suggestions = suggestionsFor(path, side, matches, pairs)
  const fitOf = (other: string) =>
    matches.find((m) =>
      side === 'strategy'
        ? m.strategy === path && m.folder === other
        : m.folder === path && m.strategy === other
    )
  return (
    <div className="pair-line" data-testid="pair-line">
      {suggestions.map((s) => {
        const other = side === 'strategy' ? s.folder : s.strategy
        return (
          <div key={other} className="pair-suggestion" data-testid="pair-suggestion" data-partner={other}>
            <span className="muted">Suggested:</span>
            <ElidedPath path={other} className="mono pair-partner" />
            <span className="muted pair-reason">{s.reason}</span>
            <button type="button" className="small" onClick={() => void join(other)}>
              Pair
            </button>
          </div>
        )
      })}
      <label className="visually-hidden" htmlFor={id}>
        {side === 'strategy' ? 'Pair with a checkpoint folder' : 'Pair with a strategy'}
      </label>
      <select id={id} value="" onChange={(e) => e.target.value && void join(e.target.value)}>
        <option value="">
          {side === 'strategy' ? 'Pair with a checkpoint folder…' : 'Pair with a strategy…'}
        </option>
        {others.map((other) => {
          const fit = fitOf(other)
          return (
            <option key={other} value={other}>
              {other}
              {fit ? ` — ${fit.reason}` : ''}
            </option>
          )
        })}
      </select>
    </div>
  )
}
