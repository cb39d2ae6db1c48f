import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { AppService } from '../../src-main/services/app-service'
import { startWebServer, type RunningWebServer } from '../../src-main/shells/web/server'

const ROOT = join(__dirname, '../..')
const RENDERER = join(ROOT, 'out/renderer')
export const SCREENSHOTS = join(__dirname, 'screenshots')
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export interface App {
  url: string
  page: Page
  /** Console errors and uncaught exceptions seen in the page; a test ends with none. */
  errors: string[]
  scratch: string
  close(): Promise<void>
}

/**
 * Browser mode as users run it: the app service and the token-protected server on 127.0.0.1, the built
 * renderer, and Debian's Chromium driven by playwright-core. `url` is the printed link, token in its fragment. Launch happens inside try/finally so a failed
 * launch cannot leave the server running.
 */
export async function startApp(): Promise<App> {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error('build the app first: npm run build')
  const scratch = mkdtempSync(join(tmpdir(), 'shardscope-e2e-'))
  const service = new AppService(
    { shell: 'browser' },
    { sampleCacheRoot: join(scratch, 'cache'), recentFile: join(scratch, 'recent.json') }
  )
  let server: RunningWebServer | undefined
  let browser: Browser | undefined
  try {
    server = await startWebServer({ rendererDir: RENDERER, service })
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      timeout: 60_000
    })
    // A context of its own, so a test can open more tabs in it (each tab has its own sessionStorage).
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true
    })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(`page error: ${err.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('favicon'))
        errors.push(`console: ${message.text()}`)
    })
    const running = server
    const opened = browser
    return {
      url: server.url,
      page,
      errors,
      scratch,
      async close() {
        await opened.close().catch(() => undefined)
        await running.close()
        await service.close()
        rmSync(scratch, { recursive: true, force: true })
      }
    }
  } catch (err) {
    await browser?.close().catch(() => undefined)
    await server?.close()
    await service.close()
    rmSync(scratch, { recursive: true, force: true })
    throw err
  }
}

/** The printed link with `query` added to its search part; the token stays in the fragment. */
export function linkWithQuery(link: string, query: string): string {
  const url = new URL(link)
  for (const [key, value] of new URLSearchParams(query)) url.searchParams.set(key, value)
  return url.toString()
}

/** A 1440×900 screenshot for people to look at (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}

export async function showView(page: Page, label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: label, exact: true })
    .click()
}
