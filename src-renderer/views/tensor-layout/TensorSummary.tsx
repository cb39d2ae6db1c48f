import { describeTiedStages } from '../../viz/layout/describe-layout'
import type { SliceGroups } from '../../viz/layout/slice-groups'

interface TensorSummaryProps {
  groups: SliceGroups
  optShards: number
  /** Other stages holding a tied copy. */
  tied: number[]
  shapeKnown: boolean
}

/** The drawing in one sentence, and a warning when it is drawn in units for want of a shape. */
export function TensorSummary({ groups, optShards, tied, shapeKnown }: TensorSummaryProps) {
  const slices = groups.model.length
  const copies = groups.model[0]!.replicas
  const cut =
    optShards > 1
      ? `, ${slices === 1 ? 'cut' : 'each cut'} into ${optShards} optimizer shards along dim 0`
      : ''
  const held =
    copies > 1 ? `every piece is held by ${copies} ranks (replicas)` : 'every piece is held by one rank'
  return (
    <>
      <p className="tensor-summary" data-testid="tensor-summary">
        {slices === 1 ? 'The whole tensor is one model-parallel slice' : `${slices} model-parallel slices`}
        {cut}; {held}.
        {tied.length > 0 && (
          <span className="muted"> Tied: {describeTiedStages(tied)} (each its own row).</span>
        )}
      </p>
      {!shapeKnown && (
        <p className="tensor-note" data-testid="shape-unknown">
          The shape is unknown (a strategy without its checkpoint folder), so each split is drawn as one unit.
        </p>
      )}
    </>
  )
}
