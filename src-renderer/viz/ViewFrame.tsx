import { useRef, type ReactNode, type RefObject } from 'react'
import { exportPng, exportSvg } from './export'

interface ViewFrameProps {
  title: string
  subtitle?: ReactNode
  /** The SVG the export buttons save; omit for views without a drawing. */
  svgRef?: RefObject<SVGSVGElement | null>
  exportName?: string
  actions?: ReactNode
  children: ReactNode
  testId?: string
}

/** A view's header (title, subtitle, actions, SVG/PNG export) around its content. */
export function ViewFrame({
  title,
  subtitle,
  svgRef,
  exportName,
  actions,
  children,
  testId
}: ViewFrameProps) {
  const fallback = useRef<SVGSVGElement>(null)
  const ref = svgRef ?? fallback
  const name = exportName ?? title.toLowerCase().replace(/\W+/g, '-')
  return (
    <section className="view" data-testid={testId}>
      <header className="view-header">
        <div>
          <h1>{title}</h1>
          {subtitle && <div className="view-subtitle">{subtitle}</div>}
        </div>
        <div className="view-actions">
          {actions}
          {svgRef && (
            <>
              <button
                type="button"
                onClick={() => ref.current && exportSvg(ref.current, name)}
                title="Save this view as SVG"
              >
                Export SVG
              </button>
              <button
                type="button"
                onClick={() => ref.current && void exportPng(ref.current, name)}
                title="Save this view as PNG"
              >
                Export PNG
              </button>
            </>
          )}
        </div>
      </header>
      <div className="view-body">{children}</div>
    </section>
  )
}

/** What a view shows before there is anything to show. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>
}
