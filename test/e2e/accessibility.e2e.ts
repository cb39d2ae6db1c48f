import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { screenshot, showTheme, showView } from './app-steps'
import { startApp, type App } from './harness'

// Issue 9, point 7: accessible drawings and tables, checked by axe-core and by walking them with the keyboard.
declare const axe: {
  run(
    context: unknown,
    options: unknown
  ): Promise<{ violations: { id: string; nodes: { target: string[]; any?: { data?: unknown }[] }[] }[] }>
}
declare const document: { activeElement: { getAttribute(name: string): string | null } | null }

const AXE = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8')
let app: App

beforeAll(async () => {
  app = await startApp()
  await app.page.goto(app.url)
  await app.page.getByTestId('sample-items').waitFor()
  // Evaluated through the debugging protocol, which the page's Content-Security-Policy does not govern.
  await app.page.evaluate(AXE)
})

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await screenshot(app.page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`)
})

afterAll(async () => {
  await app?.close()
})

async function violations(theme: 'light' | 'dark' = 'light') {
  await showTheme(app.page, theme)
  await app.page.waitForTimeout(100)
  const result = await app.page.evaluate(() =>
    axe.run(document, { resultTypes: ['violations'], rules: { region: { enabled: false } } })
  )
  return result.violations.map(
    (v) =>
      `${v.id} (${theme}): ${v.nodes
        .slice(0, 3)
        .map((n) => `${n.target.join(' ')} ${JSON.stringify(n.any?.[0]?.data ?? '')}`)
        .join(', ')}`
  )
}

describe('accessibility', () => {
  const views = [
    'Open',
    'Strategy explorer',
    'Device matrix',
    'Tensor layout',
    'Pipeline stages',
    'Checkpoint folder',
    'Help'
  ]
  for (const view of views) {
    it(`${view}: no axe violations, in both themes`, async () => {
      await showView(app.page, view)
      await app.page.waitForTimeout(300)
      expect(await violations('light')).toEqual([])
      expect(await violations('dark')).toEqual([])
    })
  }

  it('the planner: flow nodes and bands have roles and names, and the keyboard walks them', async () => {
    const { page } = app
    await showView(page, 'Transform planner')
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await expect.poll(() => page.getByTestId('plan-rank').count(), { timeout: 60_000 }).toBe(4)
    expect(await violations('light')).toEqual([])
    expect(await violations('dark')).toEqual([])
    const destinations = page.getByRole('listbox', { name: /Destination ranks/ })
    const rank1 = destinations.getByRole('option', {
      name: /^rank 1 [\d.]+ \w+: destination rank, stage 0, from source ranks? \d/
    })
    await rank1.waitFor()
    const source0 = page
      .getByRole('list', { name: 'Source ranks' })
      .getByRole('listitem', { name: /^rank 0 [\d.]+ \w+: source rank, stage 0, to destination ranks? \d/ })
    await source0.waitFor()
    expect(await page.getByRole('list', { name: /Flows/ }).getByRole('listitem').count()).toBeGreaterThan(4)
    // Keyboard: focus destination rank 0, ArrowDown selects rank 1; ArrowLeft goes to a source that feeds it.
    await destinations.getByRole('option', { name: /^rank 0 / }).focus()
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => rank1.getAttribute('aria-selected')).toBe('true')
    await page.keyboard.press('ArrowLeft')
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
    expect(focused).toMatch(/^rank \d+ .*: source rank, stage \d, to destination ranks? .*1/)
    // The outputs table: rows are focusable and selectable with the arrow keys.
    const row2 = page.locator('[data-testid="plan-rank"][data-rank="2"]')
    await page.locator('[data-testid="plan-rank"][data-rank="1"]').focus()
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => row2.getAttribute('aria-selected')).toBe('true')
    await screenshot(page, 'a1-planner-keyboard')
  })

  it('the command palette and the run view have no axe violations', async () => {
    const { page } = app
    await page.keyboard.press('Control+k')
    await page.getByTestId('command-palette').waitFor()
    expect(await violations()).toEqual([])
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Start conversion' }).click()
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    expect(await violations('light')).toEqual([])
    expect(await violations('dark')).toEqual([])
  })
})
