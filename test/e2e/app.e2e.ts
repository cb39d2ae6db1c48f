import { cpSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { oracle, real } from '../helpers/fixtures'
import { screenshot, showView, startApp, type App } from './harness'

// Used only inside page.evaluate callbacks, which run in Chromium.
declare const DataTransfer: new () => {
  items: { add(file: File): void }
  setData(type: string, value: string): void
}
declare const document: { activeElement: { getAttribute(name: string): string | null } | null }
declare const navigator: { clipboard: { readText(): Promise<string> } }

let app: App

beforeAll(async () => {
  app = await startApp()
  await app.page.goto(app.url)
  // With no arguments the app opens the built-in sample workspace.
  await app.page.getByTestId('opened-item').first().waitFor()
})

afterEach(async (context) => {
  // A failing test leaves a picture of what the page showed.
  if (context.task.result?.state === 'fail')
    await screenshot(app.page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`)
})

afterAll(async () => {
  await app?.close()
})

describe('the sample workspace, view by view', () => {
  it('opens on the sample on first launch: three recognised items, folder and strategy paired', async () => {
    const { page } = app
    await expect.poll(() => page.getByTestId('opened-item').count()).toBe(3)
    const text = await page.getByTestId('sample-items').innerText()
    expect(text).toContain('8 ranks, 2.54 MiB')
    expect(text).toContain('120 parameter layouts in 2 pipeline stages')
    expect(text).toContain('117 parameter layouts in 1 pipeline stage')
    await expect.poll(() => page.locator('[data-testid="pair-line"][data-paired]').count()).toBe(2)
    await screenshot(page, '01-open')
  })

  it('strategy explorer: every layout, search, filters and sort', async () => {
    const { page } = app
    await showView(page, 'Strategy explorer')
    await expect.poll(() => page.getByTestId('param-count').innerText()).toContain('120 of 120')
    const first = page.getByTestId('param-row').first()
    expect(await first.getAttribute('data-name')).toBeTruthy()
    await page.getByLabel('Search parameters').fill('layers.0.attention.wq')
    await expect.poll(() => page.getByTestId('param-count').innerText()).toContain('3 of 120')
    const names = await page
      .getByTestId('param-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))
    expect(names.sort()).toEqual([
      'adam_m.model.layers.0.attention.wq.weight',
      'adam_v.model.layers.0.attention.wq.weight',
      'model.layers.0.attention.wq.weight'
    ])
    await page.locator('[data-testid="param-row"][data-name="model.layers.0.attention.wq.weight"]').click()
    const row = await page
      .locator('[data-testid="param-row"][data-name="model.layers.0.attention.wq.weight"]')
      .innerText()
    expect(row).toContain('[64, 64]')
    expect(row).toContain('[16, 64]') // slice: mp 2 on rows, then optimizer shard 2
    expect(row).toContain('BFloat16')
    await screenshot(page, '02-strategy-explorer')
    await page.getByLabel('Search parameters').fill('')
  })

  it('device matrix: 8 ranks in 2 stage blocks, the ranks holding a slice highlighted', async () => {
    const { page } = app
    await showView(page, 'Device matrix')
    await expect.poll(() => page.getByTestId('device-cell').count()).toBe(8)
    await expect.poll(() => page.getByTestId('stage-block').count()).toBe(2)
    await page.locator('[data-testid="device-cell"][data-rank="1"]').click()
    // wq [0,-1] on [2,2] with optimizer shard 2: rank 1 (dp 0, mp 1) holds rows 16–31; no other rank does.
    const holders = await page
      .locator('[data-testid="device-cell"][data-holds="true"]')
      .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-rank')))
    expect(holders).toEqual(['1'])
    await screenshot(page, '03-device-matrix')
  })

  it('tensor layout: the weight cut into the blocks each rank holds', async () => {
    const { page } = app
    await showView(page, 'Tensor layout')
    // 2 model-parallel slices, each cut into 2 optimizer shards: 4 blocks, one rank each.
    await expect.poll(() => page.getByTestId('opt-block').count()).toBe(4)
    await expect.poll(() => page.getByTestId('slice-block').count()).toBe(2)
    await screenshot(page, '04-tensor-layout')
  })

  it('pipeline stages: bytes per rank as bars, the tied embedding marked shared', async () => {
    const { page } = app
    await showView(page, 'Pipeline stages')
    await expect.poll(() => page.getByTestId('rank-bar').count()).toBe(8)
    const shared = await page.getByTestId('shared-param').allInnerTexts()
    expect(shared.join(' ')).toContain('model.tok_embeddings.embedding_weight')
    await screenshot(page, '05-pipeline-stages')
  })

  it('checkpoint folder: 8 ranks, files and sizes, no problems', async () => {
    const { page } = app
    await showView(page, 'Checkpoint folder')
    await expect.poll(() => page.getByTestId('folder-rank').count()).toBe(8)
    await expect(page.getByTestId('folder-ok').count()).resolves.toBe(1)
    await screenshot(page, '06-checkpoint-folder')
  })
})

describe('keyboard, clipboard and export', () => {
  it('focuses search with /, moves through the list with the arrow keys and copies a layout', async () => {
    const { page } = app
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
    await showView(page, 'Strategy explorer')
    await page.getByTestId('param-table').click()
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Search parameters'
    )
    await page.keyboard.type('feed_forward.w2')
    await expect.poll(() => page.getByTestId('param-count').innerText()).toContain('12 of 120')
    await page.getByTestId('param-row').first().click()
    const before = await page
      .locator('[data-testid="param-row"][aria-selected="true"]')
      .getAttribute('data-name')
    await page.keyboard.press('ArrowDown')
    const after = await page
      .locator('[data-testid="param-row"][aria-selected="true"]')
      .getAttribute('data-name')
    expect(after).not.toBe(before)
    await page.getByRole('button', { name: 'Copy layout' }).click()
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as {
      name: string
      devMatrix: number[]
    }
    expect(copied.name).toBe(after)
    expect(copied.devMatrix).toEqual([2, 2])
    await page.getByLabel('Search parameters').fill('')
  })

  it('exports a view as SVG and as PNG', async () => {
    const { page } = app
    await showView(page, 'Device matrix')
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export SVG' }).click()
    ])
    expect(svg.suggestedFilename()).toMatch(/^device-matrix-.+-stage\d\.svg$/)
    const svgText = readFileSync((await svg.path())!, 'utf8')
    expect(svgText).toMatch(/^<svg/)
    expect(svgText).toContain('data-testid="device-cell"')
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export PNG' }).click()
    ])
    expect(
      readFileSync((await png.path())!)
        .subarray(1, 4)
        .toString()
    ).toBe('PNG')
  })
})

describe('dropping MindSpore files', () => {
  it('recognises a dropped strategy file (uploaded in browser mode) and a dropped folder path', async () => {
    const { page } = app
    await showView(page, 'Open')
    const bytes = readFileSync(real('mindformers__strategy_8_npus.ckpt')).toString('base64')
    const transfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer()
      const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
      dt.items.add(new File([raw], 'mindformers__strategy_8_npus.ckpt'))
      return dt
    }, bytes)
    await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer })
    await expect
      .poll(() => page.getByTestId('opened-items').innerText())
      .toContain('148 parameter layouts in 2 pipeline stages')

    const folder = await page.evaluateHandle(
      (uri) => {
        const dt = new DataTransfer()
        dt.setData('text/uri-list', uri)
        return dt
      },
      `file://${oracle('optshard_to_noopt', 'src')}`
    )
    await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: folder })
    await expect.poll(() => page.getByTestId('opened-items').innerText()).toContain('8 ranks, 13.5 KiB')
  })

  it('says why a dropped file is not something it reads', async () => {
    const { page } = app
    const transfer = await page.evaluateHandle(
      (uri) => {
        const dt = new DataTransfer()
        dt.setData('text/uri-list', uri)
        return dt
      },
      `file://${oracle('cases.json')}`
    )
    await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer })
    await expect.poll(() => page.getByTestId('opened-items').innerText()).toContain('Not recognised')
    expect(await page.getByTestId('opened-items').innerText()).toContain(
      'neither a strategy file (no parallel_layout_item) nor a rank table'
    )
    await screenshot(page, '07-open-after-drops')
  })
})

describe('planning and running a conversion', () => {
  it('plans the sample to 4 ranks, previews every rank, runs it and verifies the outputs', async () => {
    const { page } = app
    await showView(page, 'Transform planner')
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await expect.poll(() => page.getByTestId('plan-rank').count(), { timeout: 60_000 }).toBe(4)
    await expect.poll(() => page.getByTestId('flow-link').count()).toBeGreaterThan(4)
    expect(await page.locator('[data-testid="plan-problem"][data-severity="error"]').count()).toBe(0)
    await expect.poll(() => page.getByTestId('plan-piece').count()).toBeGreaterThan(0)
    await screenshot(page, '08-transform-planner')
    await page.getByRole('button', { name: 'Start conversion' }).click()
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('verified').innerText()).toContain('All 4 outputs verified')
    expect(await page.getByTestId('ranks-summary').innerText()).toBe('4 of 4 outputs')
    expect(await page.getByTestId('output-row').count()).toBe(4)
    await screenshot(page, '09-run-finished')
  })

  it('shows a validation error for a broken input, in words, and does not start', async () => {
    const { page } = app
    const broken = join(app.scratch, 'broken-src')
    await showView(page, 'Transform planner')
    cpSync(oracle('mp2x4_to_mp4', 'src'), broken, { recursive: true })
    rmSync(join(broken, 'rank_5'), { recursive: true })
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(broken)
    await page
      .getByLabel('Source strategy', { exact: true })
      .fill(oracle('mp2x4_to_mp4', 'src_strategy.ckpt'))
    await page
      .getByLabel('Destination strategy', { exact: true })
      .fill(oracle('mp2x4_to_mp4', 'dst_strategy.ckpt'))
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    const error = page.locator('[data-testid="plan-problem"][data-severity="error"]')
    await expect.poll(() => error.count()).toBeGreaterThan(0)
    expect(await error.first().innerText()).toContain('Source rank 5 is needed for destination rank 1')
    expect(await page.getByRole('button', { name: 'Start conversion' }).isDisabled()).toBe(true)
    await screenshot(page, '10-planner-validation-error')
  })

  it('cancels a running conversion, then resumes it', async () => {
    const { page } = app
    const { writeSyntheticCheckpoint } = await import('../helpers/synthetic')
    const { readStrategyFile, writeStrategyFile } =
      await import('../../src-main/engine/formats/strategy/strategy-file')
    const root = join(app.scratch, 'big')
    // 1 GiB: at 192 MiB the whole conversion sometimes ended between the first progress and the click on Cancel.
    const params = Array.from({ length: 64 }, (_, i) => ({
      name: `layers.${i}.weight`,
      dtype: 'Float32' as const,
      shape: [2048, 2048],
      map: [1, 0]
    }))
    const { folder, strategy } = await writeSyntheticCheckpoint(root, [2, 4], params)
    const destination = await readStrategyFile(strategy)
    for (const l of destination.layouts) {
      l.devMatrix = [8]
      l.tensorMap = [0, -1]
    }
    await writeStrategyFile(destination, join(root, 'dst.ckpt'))
    await showView(page, 'Transform planner')
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(folder)
    await page.getByLabel('Source strategy', { exact: true }).fill(strategy)
    await page.getByLabel('Destination strategy', { exact: true }).fill(join(root, 'dst.ckpt'))
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await expect.poll(() => page.getByTestId('plan-rank').count()).toBe(8)
    await page.getByRole('button', { name: 'Start conversion' }).click()
    // Wait until bytes are moving, so the picture shows a conversion under way, then cancel it.
    await expect
      .poll(
        async () =>
          Number(
            await page.getByRole('progressbar', { name: 'Overall progress' }).getAttribute('aria-valuenow')
          ),
        { interval: 50, timeout: 60_000 }
      )
      .toBeGreaterThan(0)
    await screenshot(page, '11-run-in-progress')
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('button', { name: 'Resume' }).waitFor()
    expect(await page.getByTestId('job-failure').innerText()).toContain('Cancelled.')
    await screenshot(page, '12-run-cancelled')
    await page.getByRole('button', { name: 'Resume' }).click()
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('verified').innerText()).toContain('All 8 outputs verified')
    // The resumed run skipped what the cancelled one had finished and verified, and wrote the rest.
    expect(await page.getByTestId('output-row').count()).toBe(8)
    await screenshot(page, '13-run-resumed')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
