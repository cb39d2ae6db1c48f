/**
 * Exports a view's SVG as an .svg file or a 2x .png, with the styles it needs inlined so it looks the same
 * outside the app.
 */
export function exportSvg(svg: SVGSVGElement, fileName: string): void {
  download(new Blob([serialize(svg)], { type: 'image/svg+xml' }), `${fileName}.svg`)
}

export async function exportPng(svg: SVGSVGElement, fileName: string, scale = 2): Promise<void> {
  const { width, height } = svg.getBoundingClientRect()
  const image = new Image()
  const url = URL.createObjectURL(new Blob([serialize(svg)], { type: 'image/svg+xml' }))
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
    context.fillStyle = '#ffffff'
    context.fillRect(0, 0, canvas.width, canvas.height)
    context.scale(scale, scale)
    context.drawImage(image, 0, 0, width, height)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
    if (blob) download(blob, `${fileName}.png`)
  } finally {
    URL.revokeObjectURL(url)
  }
}

function serialize(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement
  const { width, height } = svg.getBoundingClientRect()
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  copy.setAttribute('width', String(width))
  copy.setAttribute('height', String(height))
  // Computed styles of every element, so classes styled by app.css survive outside the page.
  const source = svg.querySelectorAll('*')
  copy.querySelectorAll('*').forEach((element, i) => {
    const style = getComputedStyle(source[i]!)
    const keep = [
      'fill',
      'stroke',
      'stroke-width',
      'font-size',
      'font-family',
      'font-weight',
      'opacity',
      'text-anchor',
      'dominant-baseline'
    ]
    ;(element as SVGElement).setAttribute(
      'style',
      keep.map((k) => `${k}:${style.getPropertyValue(k)}`).join(';')
    )
  })
  return new XMLSerializer().serializeToString(copy)
}

function download(blob: Blob, name: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}
