import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openByPath, paramRow, screenshotBothThemes, showView, useApp } from './app-steps'
import { SCREENSHOTS } from './harness'

// A strategy may describe up to 2^17 devices: the device matrix paints them on a canvas, one cell per device,
// and still says which rank is under the pointer and who shares its slice.
const app = useApp('sample=0')
const DEVICES = 1 << 17

/** The page's canvas, as the evaluate callback (run in Chromium) uses it. */
interface Canvas {
  width: number
  clientWidth: number
  dataset: Record<string, string | undefined>
  getContext(
    kind: '2d'
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null
}

/** 32 × 64 × 64 devices; the weight is split 64 ways on each dim (4,096 slices), each held by 32 ranks. */
function writeStrategy(path: string): void {
  writeFileSync(
    path,
    JSON.stringify({
      current_stage: 0,
      parallel_layout_item: {
        'model.big.weight': {
          dev_matrix: [32, 64, 64],
          tensor_map: [1, 0],
          field: 0,
          opt_weight_shard_size: 0,
          opt_weight_shard_step: 0,
          tensor_shape: [4096, 8192]
        }
      },
      parallel_strategy_item: {}
    })
  )
}

/** The canvas colour of a local rank's cell, read back from the page. */
async function cellColor(x: number, y: number): Promise<number[]> {
  return app.page.getByTestId('device-canvas').evaluate(
    (element, [cx, cy]) => {
      const canvas = element as unknown as Canvas
      const ratio = canvas.width / canvas.clientWidth
      const cell = Number(canvas.dataset.cell)
      const data = canvas
        .getContext('2d')!
        .getImageData(
          Math.floor((cx! + 0.5) * cell * ratio),
          Math.floor((cy! + 0.5) * cell * ratio),
          1,
          1
        ).data
      return [data[0]!, data[1]!, data[2]!]
    },
    [x, y]
  )
}

// Used only inside page.evaluate callbacks, which run in Chromium.
interface PagePixels {
  drawImage(image: unknown, x: number, y: number, w?: number, h?: number): void
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
}
declare const document: {
  createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): PagePixels | null }
}
declare const Image: new () => { src: string; width: number; height: number; decode(): Promise<void> }

/** The painted slice image's colours at points given as fractions of its width and height. */
async function imageColors(width: number, height: number, points: number[][]): Promise<number[][]> {
  return app.page.getByTestId('slice-image').evaluate(
    async (element, [w, h, at]) => {
      const image = new Image()
      image.src = (element as unknown as { getAttribute(name: string): string }).getAttribute('href')
      await image.decode()
      const canvas = document.createElement('canvas')
      canvas.width = w as number
      canvas.height = h as number
      const context = canvas.getContext('2d')!
      context.drawImage(image, 0, 0, w as number, h as number)
      return (at as number[][]).map(([x, y]) =>
        [
          ...context.getImageData(Math.floor(x! * (w as number)), Math.floor(y! * (h as number)), 1, 1).data
        ].slice(0, 3)
      )
    },
    [width, height, points] as const
  )
}

/** A PNG's width and how many distinct colours it holds, decoded by Chromium. */
async function pngColors(bytes: Buffer): Promise<{ width: number; colors: number }> {
  return app.page.evaluate(async (base64) => {
    const image = new Image()
    image.src = `data:image/png;base64,${base64}`
    await image.decode()
    const canvas = document.createElement('canvas')
    canvas.width = image.width
    canvas.height = image.height
    const context = canvas.getContext('2d')!
    context.drawImage(image, 0, 0)
    const data = context.getImageData(0, 0, image.width, image.height).data
    const seen = new Set<number>()
    for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)
    return { width: image.width, colors: seen.size }
  }, bytes.toString('base64'))
}

describe('the device matrix of 2^17 devices', () => {
  it('paints one cell per device on a canvas and answers pointing, clicks and arrow keys', async () => {
    const { page } = app
    const strategy = join(app.scratch, 'strategy-131072.json')
    writeStrategy(strategy)
    await openByPath(page, strategy)
    await showView(page, 'Strategy explorer')
    await paramRow(page, 'model.big.weight').click()
    const started = Date.now()
    await showView(page, 'Device matrix')
    const canvas = page.getByTestId('device-canvas')
    await canvas.waitFor()
    console.log(`device matrix of ${DEVICES} devices drawn ${Date.now() - started} ms after the click`)
    expect(await page.getByTestId('device-cell').count()).toBe(0)
    const [rows, cols] = [
      Number(await canvas.getAttribute('data-rows')),
      Number(await canvas.getAttribute('data-cols'))
    ]
    expect(await page.getByTestId('device-summary').innerText()).toContain(
      '4,096 distinct slices × 32 replicas'
    )

    // 32 tiles (the replicated axis) of 64 × 64 (the split axes), 8 tiles across with a cell of gap between.
    expect([rows, cols]).toEqual([4 * 65 - 1, 8 * 65 - 1])
    // Rank 1 holds another slice than rank 0; rank 4096, in the next tile, the same one: the colours say so.
    expect(await cellColor(0, 0)).not.toEqual(await cellColor(1, 0))
    expect(await cellColor(0, 0)).toEqual(await cellColor(65, 0))

    const cell = Number(await canvas.getAttribute('data-cell'))
    await canvas.hover({ position: { x: (cols - 0.5) * cell, y: (rows - 0.5) * cell } })
    await expect
      .poll(() => page.getByTestId('device-detail').innerText())
      .toMatch(/^Rank 131071 \(stage 0, local 131071, coordinates \(31, 63, 63\)\) holds .*; also held by /)
    await canvas.click({ position: { x: 0.5 * cell, y: 0.5 * cell } })
    await page.mouse.move(0, 0)
    await canvas.press('ArrowRight')
    await expect
      .poll(() => page.getByTestId('device-detail').innerText())
      .toMatch(/^Rank 1 \(stage 0, local 1, coordinates \(0, 0, 1\)\) holds /)
    await screenshotBothThemes(page, 'd1-device-matrix-131072')
  })

  it('exports the canvas-painted matrix as PNG and SVG, with title and legend and without the selection', async () => {
    const { page } = app
    await showView(page, 'Device matrix')
    await page.getByTestId('device-canvas').waitFor()
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export SVG' }).click()
    ])
    expect(svg.suggestedFilename()).toBe('device-matrix-model.big.weight-stage0.svg')
    const text = readFileSync((await svg.path())!, 'utf8')
    expect(text).toContain('Device matrix · model.big.weight')
    expect(text).toContain('4,096 distinct slices × 32 replicas')
    expect(text).toContain('Stage 0 · ranks 0–131071')
    // The canvas travels as an image; the legend names slices by the ranks holding them.
    expect(text).toMatch(/<image [^>]*href="data:image\/png;base64,/)
    expect(text).toContain('ranks 0, 4096, 8192')
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export PNG' }).click()
    ])
    expect(png.suggestedFilename()).toBe('device-matrix-model.big.weight-stage0.png')
    // Kept beside the screenshots, for a person to look at the export itself.
    copyFileSync((await png.path())!, join(SCREENSHOTS, 'd3-device-matrix-131072-export.png'))
    const picture = await pngColors(readFileSync((await png.path())!))
    // Far more than a blank page with a title: the cells' slice colours are in the picture.
    expect(picture.width).toBeGreaterThan(1000)
    expect(picture.colors).toBeGreaterThan(20)
  })

  it('shows the same parameter in the tensor layout: 4,096 slices painted, pointed at and clicked', async () => {
    const { page } = app
    const started = Date.now()
    await showView(page, 'Tensor layout')
    const image = page.getByTestId('slice-image')
    await image.waitFor({ timeout: 60_000 })
    console.log(
      `tensor layout of 4096 slices on ${DEVICES} devices drawn ${Date.now() - started} ms after the click`
    )
    expect(await image.getAttribute('data-blocks')).toBe('4096')
    expect(await page.getByTestId('slice-block').count()).toBe(0)
    // Two neighbouring slices are painted in different colours, and neither is the canvas.
    const box = (await image.boundingBox())!
    const colors = await imageColors(box.width, box.height, [
      [0.5 / 64, 0.5 / 64],
      [1.5 / 64, 0.5 / 64]
    ])
    expect(colors[0]).not.toEqual(colors[1])
    for (const color of colors) expect(color).not.toEqual([255, 255, 255])
    // The second slice of dim 1 is rank 1's: clicking it selects rank 1, pointing names it.
    await image.click({ position: { x: (1.5 / 64) * box.width, y: (0.5 / 64) * box.height } })
    await expect.poll(() => page.getByTestId('selected-block').count()).toBe(1)
    await image.hover({ position: { x: (1.5 / 64) * box.width, y: (0.5 / 64) * box.height } })
    await expect.poll(() => page.getByRole('tooltip').innerText()).toContain('1, 4097')
    await page.mouse.move(0, 0)
    await screenshotBothThemes(page, 'd2-tensor-layout-131072')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
