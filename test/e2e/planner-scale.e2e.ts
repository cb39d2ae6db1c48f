import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { syntheticStrategy, writeSyntheticCheckpoint } from '../helpers/synthetic'
import { screenshot, showTheme, showView, useApp } from './app-steps'

// Issue 9 at scale: a 1024 → 256 plan's table of outputs draws only the rows in view and finds, by rank or by
// the source ranks they read, the outputs the user asks about.
const app = useApp('sample=0')
// Used only inside page.evaluate callbacks, which run in Chromium.
declare const document: { activeElement: unknown }

const PARAMS = [0, 1].map((i) => ({
  name: `layers.${i}.weight`,
  dtype: 'Float32' as const,
  shape: [4096, 8],
  map: [0, -1]
}))

describe('the planner preview of 1024 source ranks to 256', () => {
  it('lists the outputs virtually, searchable by destination rank and by source rank', async () => {
    const { page } = app
    const root = join(app.scratch, 'model')
    const { folder, strategy } = await writeSyntheticCheckpoint(root, [1024], PARAMS)
    const destination = join(root, 'dst.ckpt')
    await writeStrategyFile(syntheticStrategy([256], PARAMS), destination)
    await showView(page, 'Transform planner')
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(folder)
    await page.getByLabel('Source strategy', { exact: true }).fill(strategy)
    await page.getByLabel('Destination strategy', { exact: true }).fill(destination)
    await page.getByLabel('Destination folder', { exact: true }).fill(join(root, 'out'))
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    const count = page.getByTestId('rank-search-count')
    await expect.poll(() => count.innerText(), { timeout: 150_000 }).toBe('256 of 256 outputs')
    const rows = page.getByTestId('plan-rank')
    // Only what is in view (and a few more) is in the page.
    expect(await rows.count()).toBeLessThan(40)

    await page.getByLabel('Find by').selectOption('source')
    await page.getByLabel('Find', { exact: true }).fill('700')
    await expect.poll(() => count.innerText()).toBe('1 of 256 outputs')
    expect(await rows.getAttribute('data-rank')).toBe('175')
    expect(await rows.locator('td').nth(3).innerText()).toBe('700–703')

    await page.getByLabel('Find by').selectOption('destination')
    await page.getByLabel('Find', { exact: true }).fill('12, 200-201')
    await expect
      .poll(() => rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-rank'))))
      .toEqual(['12', '200', '201'])
    await page.getByLabel('Find', { exact: true }).fill('3-')
    await expect.poll(() => count.innerText()).toContain('is not a rank or a range of ranks')

    await page.getByLabel('Find', { exact: true }).fill('')
    await rows.first().click()
    await rows.first().press('End')
    const last = page.locator('[data-testid="plan-rank"][data-rank="255"]')
    await expect.poll(() => last.getAttribute('aria-selected')).toBe('true')
    await expect.poll(() => last.evaluate((e) => e === document.activeElement)).toBe(true)
    await page.getByLabel('Find by').selectOption('source')
    await page.getByLabel('Find', { exact: true }).fill('512-539')
    await expect.poll(() => count.innerText()).toBe('7 of 256 outputs')
    for (const theme of ['light', 'dark'] as const) {
      // The search typed in survives a theme change.
      await showTheme(page, theme)
      expect(await count.innerText()).toBe('7 of 256 outputs')
      await page.getByTestId('plan-rank-scroll').scrollIntoViewIfNeeded()
      await page.waitForTimeout(150)
      await screenshot(page, `q1-planner-1024-to-256-search-${theme}`)
    }
    await showTheme(page, 'light')
  })

  it('draws the data flow of 1,024 ranks in groups, readable, its caption in view, and exports it', async () => {
    const { page } = app
    await page.getByLabel('Find', { exact: true }).fill('')
    const flow = page.locator('svg.flow')
    await flow.scrollIntoViewIfNeeded()
    // 32 groups of 32 source ranks, 32 groups of 8 destination ranks, each labelled, in a drawing a screen holds.
    expect(await page.getByTestId('flow-source').count()).toBe(32)
    expect(await page.getByTestId('flow-destination').count()).toBe(32)
    const second = page.locator('[data-testid="flow-source"][data-rank="32"]')
    expect(await second.getAttribute('data-last')).toBe('63')
    expect(await second.locator('text').textContent()).toMatch(/^ranks 32–63 /)
    expect((await flow.boundingBox())!.height).toBeLessThan(800)
    const caption = page.getByTestId('flow-grouping')
    expect(await caption.innerText()).toContain(
      '1,024 source ranks in groups of 32 consecutive ranks; 256 destination ranks in groups of 8'
    )
    expect(await caption.isVisible()).toBe(true)
    // Clicking a destination group inspects its first rank; the group shows as selected.
    await page.locator('[data-testid="flow-destination"][data-rank="8"]').click()
    await expect
      .poll(() =>
        page.locator('[data-testid="flow-destination"][data-rank="8"]').getAttribute('aria-selected')
      )
      .toBe('true')
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export SVG' }).click()
    ])
    const text = readFileSync((await svg.path())!, 'utf8')
    expect(text).toContain('ranks 32–63')
    for (const theme of ['light', 'dark'] as const) {
      await showTheme(page, theme)
      await page
        .getByTestId('flow-grouping')
        .evaluate((e) => (e as unknown as { scrollIntoView(): void }).scrollIntoView())
      await page.waitForTimeout(150)
      await screenshot(page, `q2-planner-flow-1024-to-256-${theme}`)
    }
    await showTheme(page, 'light')
  })

  it('offers the ready plan in the Run view rather than asking for one', async () => {
    const { page } = app
    await showView(page, 'Run')
    const empty = page.getByTestId('run-empty')
    expect(await empty.innerText()).toMatch(
      /^No conversion has been started yet\. A plan is ready: 256 outputs into /
    )
    expect(await empty.innerText()).not.toContain('Plan one first')
    expect(await page.getByRole('button', { name: 'Start conversion' }).count()).toBe(1)
    for (const theme of ['light', 'dark'] as const) {
      await showTheme(page, theme)
      await page.waitForTimeout(150)
      await screenshot(page, `q3-run-plan-ready-${theme}`)
    }
    await showTheme(page, 'light')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
