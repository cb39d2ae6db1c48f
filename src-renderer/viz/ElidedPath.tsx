import { useLayoutEffect, useRef, useState } from 'react'
import { elideMiddle } from './elide'
import { textWidth } from './text-width'

/**
 * A path shown in the room it has, elided in the middle so the file name stays visible. The full path is the
 * tooltip, and what a screen reader reads.
 */
export function ElidedPath({ path, className }: { path: string; className?: string }) {
  const ref = useRef<HTMLSpanElement>(null)
  const [shown, setShown] = useState(path)
  useLayoutEffect(() => {
    const element = ref.current
    if (!element) return
    const fit = () => {
      const style = getComputedStyle(element)
      const room = element.clientWidth
      if (room <= 0) return setShown(path)
      const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`
      setShown(elideMiddle(path, (text) => textWidth(text, font) <= room))
    }
    fit()
    const observer = new ResizeObserver(fit)
    observer.observe(element)
    return () => observer.disconnect()
  }, [path])
  return (
    <span
      ref={ref}
      className={`elided-path${className ? ` ${className}` : ''}`}
      title={path}
      data-path={path}
    >
      <span aria-hidden="true">{shown}</span>
      <span className="visually-hidden">{path}</span>
    </span>
  )
}
