import { useState, type MouseEvent, type ReactNode } from 'react'

export interface Tip {
  x: number
  y: number
  content: ReactNode
}

/** A tooltip that follows the mouse; `show` is handed to whatever is hovered. */
export function useHoverTip() {
  const [tip, setTip] = useState<Tip>()
  const show = (event: MouseEvent, content: ReactNode) =>
    setTip({ x: event.clientX, y: event.clientY, content })
  const hide = () => setTip(undefined)
  const element = tip && (
    <div className="tooltip" role="tooltip" style={{ left: tip.x + 14, top: tip.y + 12 }}>
      {tip.content}
    </div>
  )
  return { show, hide, element }
}
