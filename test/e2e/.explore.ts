import { startApp } from '/work/app/test/e2e/harness'
async function main() {
  const app = await startApp()
  try {
    const { page } = app
    await page.goto(app.url)
    await page.getByTestId('opened-item').first().waitFor()
    await page.waitForTimeout(1500)
    await page.screenshot({ path: '/tmp/app-shots/open.png' })
    await page
      .getByLabel('Path')
      .fill('/work/shared/fixtures/real/golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt')
    await page.getByLabel('Path').press('Enter')
    await page.waitForTimeout(1500)
    await page.screenshot({ path: '/tmp/app-shots/open2.png', fullPage: true })
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Strategy explorer', exact: true })
      .click()
    await page.waitForTimeout(800)
    await page.screenshot({ path: '/tmp/app-shots/explorer.png' })
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Transform planner', exact: true })
      .click()
    await page.waitForTimeout(500)
    await page.screenshot({ path: '/tmp/app-shots/planner.png', fullPage: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.waitForTimeout(500)
    await page.screenshot({ path: '/tmp/app-shots/planner-dark.png', fullPage: true })
    console.log(app.errors)
  } finally {
    await app.close()
  }
}
void main()
