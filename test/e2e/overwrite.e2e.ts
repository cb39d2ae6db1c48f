import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { oracle } from '../helpers/fixtures'
import { screenshotBothThemes, showView, useApp } from './app-steps'

// Issue 9 and the trust rules: planning into a folder that holds another conversion replaces nothing until the
// user has read, in the dialog, what will be deleted and said yes.
const ROOT = join(__dirname, '../..')
const app = useApp('sample=0')

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/shardscope.cjs'), ...args], {
    encoding: 'utf8',
    timeout: 120_000
  })
}

/** Every file under a folder with its size, modification time and bytes: "nothing changed" made checkable. */
function snapshot(folder: string): Record<string, string> {
  const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  return Object.fromEntries(
    files.map((e) => {
      const path = join(e.parentPath, e.name)
      const info = statSync(path)
      return [
        path.slice(folder.length + 1),
        `${info.size}:${info.mtimeMs}:${readFileSync(path).toString('base64')}`
      ]
    })
  )
}

const OLD_OUTPUTS = [0, 1, 2, 3].map((r) => `rank_${r}/checkpoint_${r}.ckpt`)
const NEW_OUTPUTS = [0, 1, 2, 3].map((r) => `rank_${r}/model_${r}.ckpt`)

describe('planning into a folder that holds another conversion', () => {
  const source = oracle('mp2x4_to_mp4', 'src')
  const sourceStrategy = oracle('mp2x4_to_mp4', 'src_strategy.ckpt')
  const destinationStrategy = oracle('mp2x4_to_mp4', 'dst_strategy.ckpt')
  let out: string

  it('asks first, naming every file that would be replaced', async () => {
    const { page } = app
    out = join(app.scratch, 'converted')
    const earlier = cli(
      'transform',
      '--src',
      source,
      '--dst',
      out,
      '--src-strategy',
      sourceStrategy,
      '--dst-strategy',
      destinationStrategy
    )
    expect(earlier.status, earlier.stderr).toBe(0)

    await showView(page, 'Transform planner')
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(source)
    await page.getByLabel('Source strategy', { exact: true }).fill(sourceStrategy)
    await page.getByLabel('Destination strategy', { exact: true }).fill(destinationStrategy)
    await page.getByLabel('Destination folder', { exact: true }).fill(out)
    // Another output name makes it another conversion of the same checkpoint.
    await page.getByLabel('Output prefix').fill('model_')
    await page.getByRole('button', { name: 'Plan', exact: true }).click()

    const dialog = page.getByTestId('overwrite-dialog')
    await dialog.waitFor()
    expect(await page.getByRole('dialog', { name: 'Replace the previous conversion?' }).count()).toBe(1)
    expect(await dialog.innerText()).toContain(`${out} holds another conversion (from ${source}`)
    expect(await dialog.getByTestId('overwrite-files').locator('li').allInnerTexts()).toEqual(OLD_OUTPUTS)
    expect(
      await dialog.getByRole('button', { name: `Replace ${OLD_OUTPUTS.length} files` }).isVisible()
    ).toBe(true)
    await screenshotBothThemes(page, 'o1-overwrite-dialog')
  })

  it('keeps the folder exactly as it was when the user says no', async () => {
    const { page } = app
    const before = snapshot(out)
    expect(Object.keys(before)).toEqual(expect.arrayContaining([...OLD_OUTPUTS, 'shardscope-manifest.json']))
    await page.getByTestId('overwrite-dialog').getByRole('button', { name: 'Keep it' }).click()
    await page.getByTestId('overwrite-dialog').waitFor({ state: 'detached' })
    // The plan stays refused: nothing can start into the folder without the confirmation.
    expect(await page.getByRole('button', { name: 'Start conversion' }).isDisabled()).toBe(true)
    expect(
      await page.getByTestId('transform-command').locator('code').getAttribute('data-command')
    ).not.toContain('--overwrite')
    expect(snapshot(out)).toEqual(before)
  })

  it('replaces the old conversion once confirmed, and the result verifies', async () => {
    const { page } = app
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    const dialog = page.getByTestId('overwrite-dialog')
    await dialog.getByRole('button', { name: `Replace ${OLD_OUTPUTS.length} files` }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect
      .poll(() => page.getByTestId('transform-command').locator('code').getAttribute('data-command'))
      .toContain('--overwrite')
    const start = page.getByRole('button', { name: 'Start conversion' })
    await expect.poll(() => start.isEnabled()).toBe(true)
    await start.click()
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('verified').innerText()).toContain('All 4 outputs verified')

    const files = Object.keys(snapshot(out)).sort()
    expect(files).toEqual([...NEW_OUTPUTS, 'shardscope-manifest.json'].sort())
    const manifest = JSON.parse(readFileSync(join(out, 'shardscope-manifest.json'), 'utf8'))
    expect(Object.keys(manifest.outputs).sort()).toEqual(NEW_OUTPUTS)
    const verified = cli('verify', out)
    expect(verified.status, verified.stdout + verified.stderr).toBe(0)
    await screenshotBothThemes(page, 'o2-overwritten-verified')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
