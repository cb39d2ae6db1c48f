import type { Page } from 'playwright-core'
import { screenshot, showView } from './harness'

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
  await page.emulateMedia({ colorScheme: 'light' })
  await page.waitForTimeout(150)
  await screenshot(page, `${name}-light`)
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(150)
  await screenshot(page, `${name}-dark`)
  await page.emulateMedia({ colorScheme: 'light' })
}

export { screenshot, showView }
