import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { linkWithQuery, screenshot, showView, startApp, type App } from './harness'

/**
 * One app for the test file: started before the first test on `query` (e.g. `&sample=0`), a picture left
 * of any failing test, stopped after the last. What it returns reads the app once it has started.
 */
export function useApp(
  query = '',
  ready: (page: Page) => Promise<unknown> = (page) => page.getByLabel('Path', { exact: true }).waitFor()
): Pick<App, 'page' | 'scratch' | 'errors' | 'url'> {
  let app: App | undefined
  beforeAll(async () => {
    app = await startApp()
    await app.page.goto(linkWithQuery(app.url, query))
    await ready(app.page)
  })
  afterEach(async (context) => {
    if (app && context.task.result?.state === 'fail')
      await screenshot(app.page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`)
  })
  afterAll(async () => {
    await app?.close()
  })
  return {
    get page() {
      return app!.page
    },
    get scratch() {
      return app!.scratch
    },
    get errors() {
      return app!.errors
    },
    get url() {
      return app!.url
    }
  }
}

/** Steps the app's end-to-end tests share: opening by path, waiting for items, pictures in both themes. */
export async function openByPath(page: Page, path: string): Promise<void> {
  await showView(page, 'Open')
  await page.getByLabel('Path', { exact: true }).fill(path)
  await page.getByLabel('Path', { exact: true }).press('Enter')
  await page.locator(`[data-testid="opened-item"][data-path="${path}"]`).waitFor()
  await page.getByRole('status').filter({ hasText: 'Reading' }).waitFor({ state: 'detached' })
}

export function item(page: Page, path: string) {
  return page.locator(`[data-testid="opened-item"][data-path="${path}"]`)
}

export function paramRow(page: Page, name: string) {
  return page.locator(`[data-testid="param-row"][data-name="${name}"]`)
}

/** The same view as a person sees it in the light and in the dark theme. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await showTheme(page, 'light')
  await screenshot(page, `${name}-light`)
  await showTheme(page, 'dark')
  await screenshot(page, `${name}-dark`)
  await showTheme(page, 'light')
}

/** Switches the system theme and waits until the app has redrawn in it, so a screenshot shows the new colours. */
export async function showTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: theme })
  await page.locator(`.app[data-theme="${theme}"]`).waitFor()
  await page.waitForTimeout(150)
}

export { screenshot, showView }
