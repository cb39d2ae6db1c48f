import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStrategyFile, writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { writeSyntheticCheckpoint } from '../helpers/synthetic'
import { item, screenshot, showView, useApp } from './app-steps'

/** How the app writes a size in MiB: three significant digits (16.0 MiB, 112 MiB). */
const mib = (n: number) => `${n >= 100 ? n : n.toFixed(1)} MiB`

// Issue 9, points 3 and 4: truth in the Run view after a cancel; verify and reopen outputs.
const app = useApp('sample=0')
let out: string
let destinationStrategy: string

describe('the Run view', () => {
  it('after a cancel, says how many outputs are complete and kept, and what resume will redo', async () => {
    const { page } = app
    const root = join(app.scratch, 'model')
    const params = Array.from({ length: 32 }, (_, i) => ({
      name: `layers.${i}.weight`,
      dtype: 'Float32' as const,
      shape: [1024, 1024],
      map: [1, 0]
    }))
    const { folder, strategy } = await writeSyntheticCheckpoint(root, [2, 4], params)
    const destination = await readStrategyFile(strategy)
    for (const l of destination.layouts) {
      l.devMatrix = [8]
      l.tensorMap = [0, -1]
    }
    destinationStrategy = join(root, 'dst.ckpt')
    await writeStrategyFile(destination, destinationStrategy)
    out = join(root, 'out')
    await showView(page, 'Transform planner')
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(folder)
    await page.getByLabel('Source strategy', { exact: true }).fill(strategy)
    await page.getByLabel('Destination strategy', { exact: true }).fill(destinationStrategy)
    await page.getByLabel('Destination folder', { exact: true }).fill(out)
    // One rank at a time, so outputs complete one after another and a cancel falls between them.
    await page.getByLabel('Ranks in parallel').fill('1')
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await expect.poll(() => page.getByTestId('plan-rank').count()).toBe(8)
    await page.getByRole('button', { name: 'Start conversion' }).click()
    const done = page.locator('[data-testid="rank-progress"][data-state="done"]')
    await expect.poll(() => done.count(), { interval: 20, timeout: 120_000 }).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 60_000 })

    const kept = await done.count()
    expect(kept).toBeLessThan(8)
    const manifest = JSON.parse(readFileSync(join(out, 'shardscope-manifest.json'), 'utf8'))
    // What the view calls kept is exactly what is on disk and vouched for, and nothing half-written is left.
    expect(Object.keys(manifest.outputs)).toHaveLength(kept)
    for (const output of Object.keys(manifest.outputs)) expect(existsSync(join(out, output))).toBe(true)
    const leftovers = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))
    expect(leftovers).toEqual([])
    expect(await page.getByTestId('kept-summary').innerText()).toBe(
      `${kept} of 8 outputs ${kept === 1 ? 'is' : 'are'} complete and kept (${mib(kept * 16)}).`
    )
    expect(await page.getByTestId('resume-summary').innerText()).toBe(
      `Resume writes the other ${8 - kept} output${8 - kept === 1 ? '' : 's'} (${mib((8 - kept) * 16)}) and checks the ${kept} kept output${kept === 1 ? '' : 's'} against the manifest instead of rewriting ${kept === 1 ? 'it' : 'them'}.`
    )
    expect(await page.getByTestId('ranks-summary').innerText()).toBe(`${kept} of 8 outputs`)
    // An output stopped half-way is deleted, so its row claims none of its bytes.
    const stopped = page.locator('[data-testid="rank-progress"][data-state="cancelled"]')
    expect(await stopped.count()).toBe(8 - kept)
    for (const row of await stopped.all()) {
      expect(await row.getByTestId('rank-numbers').innerText()).toMatch(/^none of 16\.0 MiB kept · /)
      expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0')
    }
    expect(await page.getByTestId('overall-percent').innerText()).toBe(
      `${Math.round((kept / 8) * 100)} % kept`
    )
    await screenshot(page, 'r1-cancelled-kept')

    await page.getByRole('button', { name: 'Resume' }).click()
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('verified').innerText()).toContain('All 8 outputs verified')
    expect(await page.locator('[data-testid="output-row"][data-skipped="true"]').count()).toBe(kept)
    await screenshot(page, 'r2-resumed')
  })

  it('opens the result: the converted folder paired with its destination strategy', async () => {
    const { page } = app
    await page.getByRole('button', { name: 'Open result' }).click()
    await page.getByTestId('view-folder').waitFor()
    await expect.poll(() => page.getByTestId('folder-rank').count()).toBe(8)
    expect(await page.getByTestId('folder-ok').innerText()).toContain('agree with their strategy, dst.ckpt')
    await showView(page, 'Open')
    await expect
      .poll(() => item(page, out).getByTestId('pair-line').getAttribute('data-paired'))
      .toBe(destinationStrategy)
    expect(await item(page, out).innerText()).toContain('Converted checkpoint folder')
    await screenshot(page, 'r3-result-opened-paired')
  })

  it('re-verifies an output folder against its manifest, file by file', async () => {
    const { page } = app
    const damaged = join(out, 'rank_5', 'checkpoint_5.ckpt')
    const bytes = readFileSync(damaged)
    bytes[1000] = bytes[1000]! ^ 0xff
    writeFileSync(damaged, bytes)
    await item(page, out).getByRole('button', { name: 'Verify its 8 outputs' }).click()
    await page.getByTestId('verification').waitFor()
    await expect
      .poll(() => page.getByTestId('verify-verdict').getAttribute('data-verified'), { timeout: 60_000 })
      .toBe('false')
    expect(await page.getByTestId('verify-verdict').innerText()).toContain(
      '1 of 8 outputs does not match the manifest'
    )
    const rows = await page
      .getByTestId('verify-row')
      .evaluateAll((r) => r.map((e) => [e.getAttribute('data-rank'), e.getAttribute('data-status')]))
    expect(rows).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((r) => [String(r), r === 5 ? 'checksum-mismatch' : 'ok'])
    )
    expect(await page.getByTestId('verify-command').locator('code').getAttribute('data-command')).toBe(
      `shardscope verify ${out}`
    )
    await screenshot(page, 'r4-verify-folder')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
