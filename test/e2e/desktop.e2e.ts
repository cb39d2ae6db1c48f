import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { oracle, real } from '../helpers/fixtures'
import { item, screenshot, screenshotBothThemes, showTheme, showView, useApp } from './app-steps'

// Issue 9, points 5 and 6: views that stand on their own, and desktop conventions in browser mode.
declare const DataTransfer: new () => { setData(type: string, value: string): void }
declare const document: {
  activeElement: { getAttribute(name: string): string | null; textContent: string | null } | null
  documentElement: { scrollWidth: number; clientWidth: number }
  querySelectorAll(
    selector: string
  ): ArrayLike<{ getBoundingClientRect(): { right: number; bottom: number } }>
}
declare const window: { innerWidth: number }
declare function getComputedStyle(element: unknown): { backgroundColor: string }

const app = useApp('', (page) => page.getByTestId('sample-items').waitFor())

const VIEWS = [
  'Open',
  'Strategy explorer',
  'Device matrix',
  'Tensor layout',
  'Pipeline stages',
  'Checkpoint folder',
  'Transform planner',
  'Run',
  'Help'
]

describe('commands, shortcuts and dialogs', () => {
  it('runs any command from the palette (Ctrl+K), and Esc closes it', async () => {
    const { page } = app
    await page.keyboard.press('Control+k')
    const palette = page.getByTestId('command-palette')
    await palette.waitFor()
    await page.keyboard.type('checkpoint folder')
    await screenshot(page, 'd1-command-palette')
    await page.keyboard.press('Enter')
    await page.getByTestId('view-folder').waitFor()
    expect(await palette.count()).toBe(0)
    await page.keyboard.press('Control+k')
    await palette.waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => palette.count()).toBe(0)
  })

  it('switches views with Alt+<n>, shows the shortcuts with ? and the version in About', async () => {
    const { page } = app
    await page.locator('body').click({ position: { x: 5, y: 880 } })
    await page.keyboard.press('Alt+7')
    await page.getByTestId('view-planner').waitFor()
    await page.getByTestId('view-planner').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('?')
    await page.getByTestId('view-help').waitFor()
    const help = await page.getByTestId('view-help').innerText()
    for (const word of [
      'Device matrix',
      'Tensor map',
      'Optimizer shard',
      'Pipeline stage',
      'Ctrl+K',
      'Ctrl+O'
    ])
      expect(help).toContain(word)
    await page.keyboard.press('Control+k')
    await page.keyboard.type('about')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('about-version').innerText()).toBe('0.1.0')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('about-dialog').count()).toBe(0)
  })

  it('opens the server-side file browser with Ctrl+O, and Esc closes it', async () => {
    const { page } = app
    await page.keyboard.press('Control+o')
    await page.getByTestId('file-browser-dialog').waitFor()
    await page.getByTestId('file-browser').locator('li').first().waitFor()
    await screenshot(page, 'd2-file-browser')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('file-browser-dialog').count()).toBe(0)
  })

  it('opens what is dropped anywhere in the window, not only on the Open view', async () => {
    const { page } = app
    await showView(page, 'Help')
    const folder = oracle('dp8_to_mp4', 'src')
    const drop = await page.evaluateHandle((uri) => {
      const dt = new DataTransfer()
      dt.setData('text/uri-list', uri)
      return dt
    }, `file://${folder}`)
    await page.getByTestId('view-help').dispatchEvent('drop', { dataTransfer: drop })
    await showView(page, 'Open')
    await item(page, folder).waitFor()
  })
})

describe('views that stand on their own', () => {
  it('picks the parameter in the device matrix and tensor layout by typing', async () => {
    const { page } = app
    await showView(page, 'Device matrix')
    const picker = page.getByRole('combobox', { name: 'Parameter' })
    await picker.click()
    await page.keyboard.type('layers.2.feed_forward.w2')
    await expect.poll(() => page.getByTestId('param-option').count()).toBe(3)
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.getByTestId('view-device-matrix').locator('.view-subtitle').innerText())
      .toContain('model.layers.2.feed_forward.w2.weight')
    await screenshot(page, 'd3-device-matrix-picker')
    await showView(page, 'Tensor layout')
    await page.getByRole('combobox', { name: 'Parameter' }).click()
    await page.keyboard.type('adam_m layers.3.attention.wo')
    await page.getByTestId('param-option').first().click()
    await expect
      .poll(() => page.getByTestId('view-tensor-layout').locator('.view-subtitle').innerText())
      .toContain('adam_m.model.layers.3.attention.wo.weight')
  })

  it('exports with a title, a legend and a file name from what is shown, and no selection', async () => {
    const { page } = app
    await showView(page, 'Tensor layout')
    await page.getByTestId('opt-block').first().click()
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export SVG' }).click()
    ])
    expect(svg.suggestedFilename()).toBe('tensor-layout-adam_m.model.layers.3.attention.wo.weight-stage1.svg')
    const text = readFileSync((await svg.path())!, 'utf8')
    expect(text).toContain('Tensor layout · adam_m.model.layers.3.attention.wo.weight')
    expect(text).toContain('model-parallel slice')
    expect(text).not.toContain('selected-outline')
    // The block clicked in the app is still selected there: only the export leaves it out.
    expect(await page.locator('.tensor-svg [data-testid="selected-block"]').count()).toBe(1)
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export PNG' }).click()
    ])
    expect(png.suggestedFilename()).toBe('tensor-layout-adam_m.model.layers.3.attention.wo.weight-stage1.png')

    await showView(page, 'Transform planner')
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await page.getByTestId('plan-rank').first().waitFor({ timeout: 60_000 })
    await page.locator('[data-testid="flow-destination"][data-rank="2"]').click()
    const [plan] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export SVG' }).click()
    ])
    expect(plan.suggestedFilename()).toBe('conversion-plan-checkpoint-8-to-4-ranks.svg')
    const planText = readFileSync((await plan.path())!, 'utf8')
    expect(planText).toContain('Conversion plan · 8 → 4 ranks')
    expect(planText).toContain('from source rank 0')
    expect(planText).not.toContain('flow-link selected')
    expect(planText).not.toContain('tabindex')
  })

  it('keeps file names in path fields visible, with a browse button', async () => {
    const { page } = app
    await showView(page, 'Transform planner')
    const field = page.locator('.field', { has: page.getByLabel('Destination strategy', { exact: true }) })
    const shown = await field.locator('.path-cover [aria-hidden="true"]').innerText()
    expect(shown.endsWith('/mp4_strategy.ckpt')).toBe(true)
    expect(await field.getByRole('button', { name: 'Browse for destination strategy' }).isVisible()).toBe(
      true
    )
    await field.getByRole('button', { name: 'Browse for destination strategy' }).click()
    await page.getByTestId('file-browser-dialog').waitFor()
    // It opens in the folder of the path the field holds.
    const value = await page.getByLabel('Destination strategy', { exact: true }).inputValue()
    await expect
      .poll(() => page.getByTestId('file-browser-path').innerText())
      .toContain(value.slice(0, value.lastIndexOf('/')))
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('file-browser-dialog').count()).toBe(0)
  })

  it('reflows at 1024×700: nothing is cut off, in any view', async () => {
    const { page } = app
    await page.setViewportSize({ width: 1024, height: 700 })
    try {
      for (const view of VIEWS) {
        await showView(page, view)
        await page.waitForTimeout(250)
        const overflow = await page.evaluate(() => {
          const cut: string[] = []
          if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
            cut.push('page scrolls sideways')
          const controls = document.querySelectorAll(
            '.view-header button, .view-toolbar input, .plan-form button, .plan-form input, .opened-item button'
          )
          for (let i = 0; i < controls.length; i++) {
            if (controls[i]!.getBoundingClientRect().right > window.innerWidth + 0.5)
              cut.push(`control ${i} past the right edge`)
          }
          return cut
        })
        expect(overflow, view).toEqual([])
        await screenshot(page, `d4-1024x700-${view.toLowerCase().replace(/\W+/g, '-')}`)
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 })
    }
  })

  it('follows a system theme change without losing the view: its scroll, a search typed in, colours redrawn', async () => {
    const { page } = app
    await showTheme(page, 'light')
    await showView(page, 'Pipeline stages')
    const stageName = page.locator('[data-testid="stage-block"][data-stage="1"] .stage-name')
    const background = () => stageName.evaluate((e) => getComputedStyle(e).backgroundColor)
    expect(await background()).toBe('rgb(251, 241, 232)')
    await showTheme(page, 'dark')
    await expect.poll(background).toBe('rgb(55, 43, 31)')
    await showTheme(page, 'light')
    await expect.poll(background).toBe('rgb(251, 241, 232)')

    await showView(page, 'Transform planner')
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await page.getByTestId('plan-rank').first().waitFor({ timeout: 60_000 })
    await page.getByLabel('Find', { exact: true }).fill('3')
    const shown = () => page.getByTestId('plan-rank').count()
    await expect.poll(shown).toBe(1)
    const content = page.locator('main.content')
    await content.evaluate((e) => (e.scrollTop = 400))
    const scrolled = await content.evaluate((e) => e.scrollTop)
    expect(scrolled).toBeGreaterThan(0)
    await showTheme(page, 'dark')
    expect(await page.getByLabel('Find', { exact: true }).inputValue()).toBe('3')
    expect(await shown()).toBe(1)
    expect(await content.evaluate((e) => e.scrollTop)).toBe(scrolled)
    await showTheme(page, 'light')
    await page.getByLabel('Find', { exact: true }).fill('')
  })

  it('draws every view in the light and the dark theme', async () => {
    const { page } = app
    for (const view of VIEWS) {
      await showView(page, view)
      await page.waitForTimeout(200)
      await screenshotBothThemes(page, `d5-${view.toLowerCase().replace(/\W+/g, '-')}`)
    }
    await showTheme(page, 'dark')
    await expect.poll(() => page.locator('.app').getAttribute('data-theme')).toBe('dark')
    const background = await page.locator('.content').evaluate((e) => getComputedStyle(e).backgroundColor)
    expect(background).not.toBe('rgb(246, 247, 249)')
    await showTheme(page, 'light')
  })
})

describe('the keyboard alone', () => {
  it('walks open → plan → run without a mouse', async () => {
    const { page } = app
    const focusedName = () =>
      page.evaluate(
        () => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || ''
      )
    const tabTo = async (name: RegExp, limit = 200) => {
      const seen: string[] = []
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab')
        const now = await focusedName()
        seen.push(now.slice(0, 30))
        if (name.test(now)) return
      }
      throw new Error(`Tab never reached ${name}; it went through: ${seen.join(' | ')}`)
    }
    await page.keyboard.press('Alt+1')
    await page.getByTestId('view-open').waitFor()
    await tabTo(/^Path$/)
    await page.keyboard.type(real('mindformers__strategy_4_npus.ckpt'))
    await page.keyboard.press('Enter')
    await item(page, real('mindformers__strategy_4_npus.ckpt')).waitFor()
    await page.keyboard.press('Alt+7')
    await page.getByTestId('view-planner').waitFor()
    await tabTo(/^Plan$/)
    await page.keyboard.press('Enter')
    await page.getByTestId('plan-rank').first().waitFor({ timeout: 60_000 })
    await tabTo(/^rank 0 .*: destination rank/)
    await page.keyboard.press('ArrowDown')
    await expect
      .poll(() =>
        page.locator('[data-testid="flow-destination"][data-rank="1"]').getAttribute('aria-selected')
      )
      .toBe('true')
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Shift+Tab')
    for (let i = 0; i < 80 && !/^Start conversion$/.test(await focusedName()); i++)
      await page.keyboard.press('Shift+Tab')
    expect(await focusedName()).toBe('Start conversion')
    await page.keyboard.press('Enter')
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    await tabTo(/^Open result$/, 120)
    await page.keyboard.press('Enter')
    await page.getByTestId('view-folder').waitFor()
    await screenshot(page, 'd6-keyboard-walk-result')
  })

  // Last: the file it opens becomes the active strategy, which the views above are not drawn for.
  it('goes to a typed path, says what an empty folder holds, and opens next where the last Browse ended', async () => {
    const { page } = app
    const dialog = page.getByTestId('file-browser-dialog')
    const goTo = async (path: string) => {
      await dialog.getByLabel('Go to a path').fill(path)
      await dialog.getByLabel('Go to a path').press('Enter')
    }
    await page.keyboard.press('Control+o')
    await goTo(oracle('dp8_to_mp4'))
    await expect.poll(() => page.getByTestId('file-browser-path').innerText()).toContain(oracle('dp8_to_mp4'))
    expect(await dialog.getByRole('button', { name: /src_strategy\.ckpt/ }).isVisible()).toBe(true)

    const empty = join(app.scratch, 'empty-folder')
    const dotted = join(app.scratch, 'dotted-folder')
    mkdirSync(empty)
    mkdirSync(join(dotted, '.cache'), { recursive: true })
    await goTo(empty)
    await expect.poll(() => page.getByTestId('file-browser-empty').innerText()).toBe('This folder is empty.')
    await goTo(dotted)
    await expect
      .poll(() => page.getByTestId('file-browser-empty').innerText())
      .toBe('Nothing here but 1 hidden entry (names starting with a dot); type a path above to open one.')
    await goTo('relative/path')
    await expect.poll(() => dialog.getByRole('alert').innerText()).toContain('Type a full path')
    await screenshotBothThemes(page, 'd2-file-browser-typed-path')
    await page.keyboard.press('Escape')

    // The next Browse… opens where this one ended, not at the home folder again.
    await page.keyboard.press('Control+o')
    await expect.poll(() => page.getByTestId('file-browser-path').innerText()).toContain(dotted)
    // A typed file is chosen and opened, as a click on it would.
    const strategy = oracle('dp8_to_mp4', 'src_strategy.ckpt')
    await goTo(strategy)
    await expect.poll(() => dialog.count()).toBe(0)
    await showView(page, 'Open')
    await item(page, strategy).waitFor()
    // Where a folder is asked for, a typed file is refused in words.
    await page.keyboard.press('Control+Shift+o')
    await goTo(strategy)
    await expect
      .poll(() => dialog.getByRole('alert').innerText())
      .toBe(`${strategy} is a file; choose a folder.`)
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
