import { canvasColor } from './palette'

/** One entry of an exported drawing's legend: a swatch and what it means. */
export interface LegendEntry {
  color: string
  label: string
  /** Drawn as an outline (e.g. "destination rank") rather than a filled swatch. */
  outline?: boolean
}

/** What an export shows around the drawing, so the picture explains itself outside the app. */
export interface ExportSpec {
  title: string
  subtitle?: string
  legend?: LegendEntry[]
  /** Without extension; made safe for any file system by exportFileName. */
  fileName: string
}

const PAD = 14
const TITLE = 22
const SUBTITLE = 18
const LEGEND_ROW = 20
const FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"

/** "Device matrix · model.layers.0.wq" → "device-matrix-model.layers.0.wq". */
export function exportFileName(...parts: (string | undefined)[]): string {
  return (
    parts
      .filter((p): p is string => !!p)
      .join('-')
      .replace(/[^\w.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 160) || 'shardscope'
  )
}

/** What a view exports: its SVG, or an element holding canvases (a drawing too large for SVG). */
export type ExportSource = SVGSVGElement | HTMLElement

export function exportSvg(svg: ExportSource, spec: ExportSpec): void {
  const { text } = compose(svg, spec)
  download(new Blob([text], { type: 'image/svg+xml' }), `${exportFileName(spec.fileName)}.svg`)
}

export async function exportPng(svg: ExportSource, spec: ExportSpec, scale = 2): Promise<void> {
  const { text, width, height } = compose(svg, spec)
  const image = new Image()
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }))
  try {
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve()
      image.onerror = () => reject(new Error('The view could not be drawn as an image.'))
      image.src = url
    })
    const canvas = document.createElement('canvas')
    canvas.width = Math.ceil(width * scale)
    canvas.height = Math.ceil(height * scale)
    const context = canvas.getContext('2d')!
    context.scale(scale, scale)
    context.drawImage(image, 0, 0, width, height)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
    if (blob) download(blob, `${exportFileName(spec.fileName)}.png`)
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** The drawing, with its title above and its legend below, as one standalone SVG document. */
function compose(svg: ExportSource, spec: ExportSpec): { text: string; width: number; height: number } {
  const box = svg.getBoundingClientRect()
  const style = getComputedStyle(svg)
  const ink = style.getPropertyValue('--ink').trim() || '#1d2430'
  const muted = style.getPropertyValue('--muted').trim() || '#5e6a7e'
  const width = Math.max(box.width + 2 * PAD, 360)
  const head = PAD + TITLE + (spec.subtitle ? SUBTITLE : 0) + 6
  const legend = layoutLegend(spec.legend ?? [], width - 2 * PAD)
  const height = head + box.height + (legend.rows > 0 ? 10 + legend.rows * LEGEND_ROW : 0) + PAD
  const ns = 'http://www.w3.org/2000/svg'
  const doc = document.createElementNS(ns, 'svg')
  doc.setAttribute('xmlns', ns)
  doc.setAttribute('width', String(width))
  doc.setAttribute('height', String(height))
  doc.setAttribute('viewBox', `0 0 ${width} ${height}`)
  doc.setAttribute('font-family', FONT)
  const add = (tag: string, attributes: Record<string, string | number>, text?: string) => {
    const element = document.createElementNS(ns, tag)
    for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, String(v))
    if (text !== undefined) element.textContent = text
    doc.appendChild(element)
    return element
  }
  add('rect', { x: 0, y: 0, width, height, fill: canvasColor() })
  add('text', { x: PAD, y: PAD + 15, 'font-size': 15, 'font-weight': 650, fill: ink }, spec.title)
  if (spec.subtitle) add('text', { x: PAD, y: PAD + TITLE + 12, 'font-size': 12, fill: muted }, spec.subtitle)
  const drawing = svg instanceof SVGSVGElement ? inlineStyles(svg) : canvasesAsSvg(svg)
  drawing.setAttribute('x', String(PAD))
  drawing.setAttribute('y', String(head))
  doc.appendChild(drawing)
  const resolve = (color: string) => {
    const variable = /^var\((--[\w-]+)\)$/.exec(color)
    return variable ? style.getPropertyValue(variable[1]!).trim() || ink : color
  }
  const top = head + box.height + 10
  for (const item of legend.items) {
    const y = top + item.row * LEGEND_ROW
    add('rect', {
      x: PAD + item.x,
      y: y + 2,
      width: 11,
      height: 11,
      rx: 2,
      fill: item.entry.outline ? 'none' : resolve(item.entry.color),
      stroke: item.entry.outline ? resolve(item.entry.color) : 'none',
      'stroke-width': 2
    })
    add('text', { x: PAD + item.x + 16, y: y + 12, 'font-size': 12, fill: muted }, item.entry.label)
  }
  return { text: new XMLSerializer().serializeToString(doc), width, height }
}

/** Legend entries flowed into rows; widths estimated from the label length (no layout to measure against). */
function layoutLegend(entries: LegendEntry[], room: number) {
  const items: { entry: LegendEntry; x: number; row: number }[] = []
  let x = 0
  let row = 0
  for (const entry of entries) {
    const w = 16 + entry.label.length * 6.6 + 18
    if (x > 0 && x + w > room) {
      row++
      x = 0
    }
    items.push({ entry, x, row })
    x += w
  }
  return { items, rows: entries.length === 0 ? 0 : row + 1 }
}

/**
 * A canvas-painted drawing as SVG: each canvas as an image at its place in `container`, and the captions marked
 * `data-export-label` (stage titles) as text, so the export shows what the view shows.
 */
function canvasesAsSvg(container: HTMLElement): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const box = container.getBoundingClientRect()
  const copy = document.createElementNS(ns, 'svg')
  copy.setAttribute('width', String(box.width))
  copy.setAttribute('height', String(box.height))
  for (const label of container.querySelectorAll<HTMLElement>('[data-export-label]')) {
    const at = label.getBoundingClientRect()
    const style = getComputedStyle(label)
    const text = document.createElementNS(ns, 'text')
    text.setAttribute('x', String(at.left - box.left))
    text.setAttribute('y', String(at.top - box.top + at.height * 0.75))
    text.setAttribute('font-size', style.fontSize)
    text.setAttribute('font-weight', style.fontWeight)
    text.setAttribute('fill', style.color)
    text.textContent = label.dataset.exportLabel || label.textContent
    copy.appendChild(text)
  }
  for (const canvas of container.querySelectorAll('canvas')) {
    const at = canvas.getBoundingClientRect()
    const image = document.createElementNS(ns, 'image')
    image.setAttribute('x', String(at.left - box.left))
    image.setAttribute('y', String(at.top - box.top))
    image.setAttribute('width', String(at.width))
    image.setAttribute('height', String(at.height))
    image.setAttribute('preserveAspectRatio', 'none')
    // Cells stay sharp when the picture is scaled, as they are on screen.
    image.setAttribute('style', 'image-rendering:pixelated')
    image.setAttribute('href', canvas.toDataURL('image/png'))
    copy.appendChild(image)
  }
  return copy
}

/** A copy of the drawing with the computed styles it needs inlined, so it looks the same outside the page. */
function inlineStyles(svg: SVGSVGElement): SVGSVGElement {
  const copy = svg.cloneNode(true) as SVGSVGElement
  const { width, height } = svg.getBoundingClientRect()
  copy.setAttribute('width', String(width))
  copy.setAttribute('height', String(height))
  const keep = [
    'fill',
    'fill-opacity',
    'stroke',
    'stroke-width',
    'stroke-dasharray',
    'stroke-opacity',
    'font-size',
    'font-family',
    'font-weight',
    'opacity',
    'text-anchor',
    'dominant-baseline'
  ]
  const source = svg.querySelectorAll('*')
  copy.querySelectorAll('*').forEach((element, i) => {
    const style = getComputedStyle(source[i]!)
    ;(element as SVGElement).setAttribute(
      'style',
      keep.map((k) => `${k}:${style.getPropertyValue(k)}`).join(';')
    )
  })
  // What only made sense in the app: focus order, pressed and selected states.
  for (const element of [copy, ...copy.querySelectorAll('*')]) {
    for (const name of ['tabindex', 'aria-pressed', 'aria-selected', 'aria-current'])
      element.removeAttribute(name)
  }
  return copy
}

function download(blob: Blob, name: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}
