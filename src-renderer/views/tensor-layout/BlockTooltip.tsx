export interface TooltipState {
  x: number
  y: number
  lines: string[]
}

const OFFSET = 14
/** Room the card needs (see .tooltip max-width and a few lines of text) before it flips to the other side. */
const ROOM = { width: 380, height: 120 }

function placeNear({ x, y }: TooltipState) {
  const flipX = x + OFFSET + ROOM.width > window.innerWidth
  const flipY = y + OFFSET + ROOM.height > window.innerHeight
  return {
    ...(flipX ? { right: window.innerWidth - x + OFFSET } : { left: x + OFFSET }),
    ...(flipY ? { bottom: window.innerHeight - y + OFFSET } : { top: y + OFFSET })
  }
}

/** The hover card next to the pointer, on whichever side has room. */
export function BlockTooltip({ tooltip }: { tooltip: TooltipState | undefined }) {
  if (!tooltip) return null
  const [title, ...rest] = tooltip.lines
  return (
    <div className="tooltip" role="tooltip" data-testid="block-tooltip" style={placeNear(tooltip)}>
      <strong>{title}</strong>
      {rest.map((line, i) => (
        <div key={i}>{line}</div>
      ))}
    </div>
  )
}
