import { describe, expect, it } from 'vitest'
import { oracle, real } from '../helpers/fixtures'
import { item, openByPath, paramRow, screenshot, showView, useApp } from './app-steps'

// Issue 9, point 1: an explicit workspace, with the sample as one item like the others.
const LLAMA = real('golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt')
const ORACLE_SRC = oracle('mp2x4_to_mp4', 'src')
const ORACLE_STRATEGY = oracle('mp2x4_to_mp4', 'src_strategy.ckpt')

const app = useApp('', (page) => page.getByTestId('sample-items').waitFor())

describe('the workspace', () => {
  it('shows a real strategy opened beside the sample alone: no problem, no shape borrowed from the sample', async () => {
    const { page } = app
    await openByPath(page, LLAMA)
    await showView(page, 'Strategy explorer')
    await expect.poll(() => page.getByTestId('param-count').innerText()).toContain('363 of 363')
    expect(await page.getByTestId('pairing-note').innerText()).toContain('No checkpoint folder is paired')
    expect(await page.getByTestId('strategy-problems').count()).toBe(0)
    // The sample's layer-1 wq is [64, 64] BFloat16; Llama2-13B's strategy records no shapes at all.
    await page.getByLabel('Search parameters').fill('layers.1.attention.wq')
    const wq = await paramRow(page, 'model.layers.1.attention.wq.weight').innerText()
    expect(wq).not.toContain('BFloat16')
    expect(wq).not.toMatch(/\[\d+, \d+\]\s+[A-Z]/)
    expect(wq).toContain('[0, -1]')
    await screenshot(page, 'w1-real-strategy-beside-sample')
    // The device matrix of that parameter says the shape is unknown rather than take one from elsewhere.
    await paramRow(page, 'model.layers.1.attention.wq.weight').click()
    await page.getByLabel('Search parameters').fill('')
    await showView(page, 'Device matrix')
    await page.getByTestId('shape-unknown').waitFor()
  })

  it('pairs a folder with its strategy only when asked, on a suggestion, and unpairs it', async () => {
    const { page } = app
    await openByPath(page, ORACLE_SRC)
    await openByPath(page, ORACLE_STRATEGY)
    const strategy = item(page, ORACLE_STRATEGY)
    // Suggested by matching, not assumed: nothing is paired yet.
    await strategy.locator(`[data-testid="pair-suggestion"][data-partner="${ORACLE_SRC}"]`).waitFor()
    expect(await strategy.locator('[data-testid="pair-line"][data-paired]').count()).toBe(0)
    // The Llama strategy gets no suggestion: the sample's folder has other ranks, the oracle's other names.
    expect(await item(page, LLAMA).getByTestId('pair-suggestion').count()).toBe(0)
    await screenshot(page, 'w2-pair-suggested')
    await showView(page, 'Strategy explorer')
    expect(await page.getByTestId('pairing-note').innerText()).toContain('No checkpoint folder is paired')
    expect(await page.getByTestId('param-row').first().innerText()).not.toContain('Float32')

    await showView(page, 'Open')
    await strategy.getByRole('button', { name: 'Pair' }).click()
    await expect
      .poll(() => strategy.locator('[data-testid="pair-line"]').getAttribute('data-paired'))
      .toBe(ORACLE_SRC)
    await showView(page, 'Strategy explorer')
    await expect.poll(() => page.getByTestId('pairing-note').getAttribute('data-folder')).toBe(ORACLE_SRC)
    await expect.poll(() => page.getByTestId('param-row').first().innerText()).toContain('Float32')
    await screenshot(page, 'w3-paired-explorer')

    await showView(page, 'Open')
    await strategy.getByRole('button', { name: 'Unpair' }).click()
    await showView(page, 'Strategy explorer')
    await expect
      .poll(() => page.getByTestId('pairing-note').innerText())
      .toContain('No checkpoint folder is paired')
    expect(await page.getByTestId('param-row').first().innerText()).not.toContain('Float32')
  })

  it('closes the sample, and does not bring it back in the next session', async () => {
    const { page } = app
    await showView(page, 'Open')
    await page.getByRole('button', { name: 'Close sample' }).click()
    await expect.poll(() => page.getByTestId('sample-group').count()).toBe(0)
    // A new session over the same configuration: what was open comes back, the sample does not.
    await page.reload()
    await item(page, LLAMA).waitFor()
    await item(page, ORACLE_SRC).waitFor()
    expect(await page.getByTestId('sample-group').count()).toBe(0)
    await screenshot(page, 'w4-sample-closed-next-session')
  })

  it('closes any item, with what the views showed of it', async () => {
    const { page } = app
    await item(page, LLAMA).getByRole('button', { name: 'Explore' }).click()
    await expect.poll(() => page.getByTestId('param-count').innerText()).toContain('363 of 363')
    await showView(page, 'Open')
    await item(page, LLAMA)
      .getByRole('button', { name: `Close ${LLAMA}` })
      .click()
    await expect.poll(() => item(page, LLAMA).count()).toBe(0)
    await showView(page, 'Strategy explorer')
    expect(await page.getByTestId('param-count').count()).toBe(0)
  })

  it('never overwrites a planner field the user typed when the sample opens', async () => {
    const { page } = app
    await showView(page, 'Transform planner')
    const mine = '/data/my-own-checkpoint'
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(mine)
    await showView(page, 'Open')
    await page.getByRole('button', { name: 'Open the sample workspace' }).click()
    await page.getByTestId('sample-items').waitFor()
    await showView(page, 'Transform planner')
    expect(await page.getByLabel('Checkpoint folder', { exact: true }).inputValue()).toBe(mine)
    // Fields the user left alone take the sample's.
    expect(await page.getByLabel('Destination strategy', { exact: true }).inputValue()).toMatch(
      /mp4_strategy\.ckpt$/
    )
  })

  it('lists recent items with full paths, file name kept, and removes one', async () => {
    const { page } = app
    await showView(page, 'Open')
    const recent = page.locator(`[data-testid="recent-item"][data-path="${LLAMA}"]`)
    await recent.waitFor()
    // The recent list is a narrow column: the path is shortened in the middle, its file name kept whole.
    const narrow = await recent.locator('.elided-path [aria-hidden="true"]').innerText()
    expect(narrow).toContain('…')
    expect(narrow).toMatch(/^(\/|…)/)
    expect(narrow.endsWith('/golden-stick__llama2-13b-2p__ckpt_strategy_rank_0.ckpt')).toBe(true)
    expect(narrow.length).toBeLessThan(LLAMA.length)
    expect(await recent.locator('.elided-path').getAttribute('title')).toBe(LLAMA)
    await screenshot(page, 'w5-recent-elided')
    await recent.getByRole('button', { name: `Remove ${LLAMA} from recent items` }).click()
    await expect.poll(() => recent.count()).toBe(0)
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
