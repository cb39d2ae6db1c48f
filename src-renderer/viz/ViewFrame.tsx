import type { ReactNode, RefObject } from 'react'
import { useAppStore } from '../store/app-store'
import { exportPng, exportSvg, type ExportSpec } from './export'

/** A view's drawing and what its export says about it: its SVG, or the element holding its canvases. */
export interface Drawing extends ExportSpec {
  svgRef?: RefObject<SVGSVGElement | null>
  canvasRef?: RefObject<HTMLElement | null>
}

interface ViewFrameProps {
  title: string
  subtitle?: ReactNode
  /** The drawing the export buttons save; omit for views without one. */
  drawing?: Drawing
  actions?: ReactNode
  children: ReactNode
  testId?: string
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))

/**
 * Exports the drawing as the view would draw it with nothing selected or hovered: selection is the user's
 * state, not part of what the picture says.
 */
async function exportClean(drawing: Drawing, as: 'svg' | 'png'): Promise<void> {
  const store = useAppStore.getState()
  store.setExporting(true)
  try {
    await nextFrame()
    await nextFrame()
    const svg = drawing.svgRef?.current ?? drawing.canvasRef?.current
    if (!svg) return
    if (as === 'svg') exportSvg(svg, drawing)
    else await exportPng(svg, drawing)
  } finally {
    useAppStore.getState().setExporting(false)
  }
}

/** A view's header (title, subtitle, actions, SVG/PNG export) around its content. */
export function ViewFrame({ title, subtitle, drawing, actions, children, testId }: ViewFrameProps) {
  return (
    <section className="view" data-testid={testId} aria-labelledby={testId ? `${testId}-title` : undefined}>
      <header className="view-header">
        <div className="view-heading">
          <h1 id={testId ? `${testId}-title` : undefined}>{title}</h1>
          {subtitle && <div className="view-subtitle">{subtitle}</div>}
        </div>
        <div className="view-actions">
          {actions}
          {drawing && (
            <>
              <button
                type="button"
                onClick={() => void exportClean(drawing, 'svg')}
                title="Save the drawing as SVG"
              >
                Export SVG
              </button>
              <button
                type="button"
                onClick={() => void exportClean(drawing, 'png')}
                title="Save the drawing as PNG"
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

/** The selection a drawing should show: none while it is being exported. */
export function useShownSelection<T>(value: T): T | undefined {
  const exporting = useAppStore((s) => s.exporting)
  return exporting ? undefined : value
}
