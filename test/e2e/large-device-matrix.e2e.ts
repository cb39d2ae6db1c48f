import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openByPath, paramRow, screenshotBothThemes, showView, useApp } from './app-steps'

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

  it('shows the same parameter in the tensor layout: 4,096 slices, one block each', async () => {
    const { page } = app
    const started = Date.now()
    await showView(page, 'Tensor layout')
    await expect.poll(() => page.getByTestId('slice-block').count(), { timeout: 60_000 }).toBe(4096)
    console.log(
      `tensor layout of 4096 slices on ${DEVICES} devices drawn ${Date.now() - started} ms after the click`
    )
    await screenshotBothThemes(page, 'd2-tensor-layout-131072')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
