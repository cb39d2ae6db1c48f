import type { StoredSlice } from '../../viz/layout/slice-groups'
import { sliceColor, sliceTint } from '../../viz/layout/slice-colors'

const SHOWN = 16

interface DeviceLegendProps {
  slices: { slice: StoredSlice; colorIndex: number; text: string }[]
}

/** Which colour is which slice, and who holds it. */
export function DeviceLegend({ slices }: DeviceLegendProps) {
  return (
    <div className="legend device-legend" aria-label="Slices">
      {slices.slice(0, SHOWN).map(({ slice, colorIndex, text }) => (
        <span key={slice.key} className="legend-item">
          <span
            className="swatch"
            style={{ background: sliceTint(colorIndex), borderColor: sliceColor(colorIndex) }}
          />
          {text}
        </span>
      ))}
      {slices.length > SHOWN && <span>… and {slices.length - SHOWN} more slices</span>}
    </div>
  )
}
