interface TensorLegendProps {
  optimizerSharded: boolean
  selectedRank?: number
  /** Whether the selected rank belongs to the drawn stage (and so has an outlined block). */
  selectedHere: boolean
}

export function TensorLegend({ optimizerSharded, selectedRank, selectedHere }: TensorLegendProps) {
  const selected =
    selectedRank === undefined
      ? ' (click a block)'
      : ` ${selectedRank}${selectedHere ? '' : ' (not in this stage)'}`
  return (
    <div className="legend tensor-legend">
      <span>
        <span className="swatch legend-slice" /> model-parallel slice
      </span>
      {optimizerSharded && (
        <span>
          <span className="swatch legend-shard" /> optimizer shard (what a rank stores)
        </span>
      )}
      <span>
        <span className="swatch legend-selected" /> selected rank{selected}
      </span>
      <span>×n: held by n ranks</span>
    </div>
  )
}
