import { useEffect, useState } from 'react'

/**
 * The content width of an element, following resizes. Returns a callback ref, so an element that appears
 * later (after an empty state) is still measured.
 */
export function useElementWidth(fallback = 960): [(element: HTMLElement | null) => void, number] {
  const [element, setElement] = useState<HTMLElement | null>(null)
  const [width, setWidth] = useState(fallback)
  useEffect(() => {
    if (!element) return
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width))
    })
    observer.observe(element)
    return () => observer.disconnect()
  }, [element])
  return [setElement, width]
}
