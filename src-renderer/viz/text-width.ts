let canvas: HTMLCanvasElement | undefined

/** Text width in a given CSS font, measured without touching the page's layout. */
export function textWidth(text: string, font: string): number {
  canvas ??= document.createElement('canvas')
  const context = canvas.getContext('2d')
  if (!context) return text.length * 7
  context.font = font
  return context.measureText(text).width
}
