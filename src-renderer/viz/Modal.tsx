import { useEffect, useId, useRef, type ReactNode } from 'react'

interface ModalProps {
  title: ReactNode
  onClose(): void
  children: ReactNode
  footer?: ReactNode
  className?: string
  testId?: string
}

/**
 * A dialog over the app: Esc or a click beside it closes it, focus moves in when it opens, Tab stays inside,
 * and focus goes back where it was when it closes.
 */
export function Modal({ title, onClose, children, footer, className, testId }: ModalProps) {
  const titleId = useId()
  const box = useRef<HTMLDivElement>(null)
  const close = useRef(onClose)
  useEffect(() => {
    close.current = onClose
  }, [onClose])

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null
    // A field that took focus itself (autoFocus) keeps it; otherwise the first field, else the first control.
    if (!box.current?.contains(document.activeElement)) {
      const first =
        box.current?.querySelector<HTMLElement>('input, select') ??
        box.current?.querySelector<HTMLElement>('.modal-body button, footer button, [tabindex="0"]')
      ;(first ?? box.current)?.focus()
    }
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault()
        event.stopPropagation()
        close.current()
      } else if (event.key === 'Tab' && box.current) {
        const focusable = [
          ...box.current.querySelectorAll<HTMLElement>('button, input, select, [tabindex="0"], a[href]')
        ].filter((e) => !e.hasAttribute('disabled'))
        if (focusable.length === 0) return
        const [firstItem, lastItem] = [focusable[0]!, focusable[focusable.length - 1]!]
        if (event.shiftKey && document.activeElement === firstItem) {
          event.preventDefault()
          lastItem.focus()
        } else if (!event.shiftKey && document.activeElement === lastItem) {
          event.preventDefault()
          firstItem.focus()
        }
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => {
      window.removeEventListener('keydown', onKey, true)
      before?.focus?.()
    }
  }, [])

  return (
    <div className="modal-backdrop" onClick={() => close.current()}>
      <div
        ref={box}
        className={`modal${className ? ` ${className}` : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        data-testid={testId}
        onClick={(e) => e.stopPropagation()}
      >
        <header>
          <strong id={titleId}>{title}</strong>
          <button type="button" onClick={() => close.current()} aria-label="Close">
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer>{footer}</footer>}
      </div>
    </div>
  )
}
