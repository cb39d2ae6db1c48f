import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { oracle } from '../helpers/fixtures'
import { screenshot, screenshotBothThemes, showView, useApp } from './app-steps'

// Issue 9, point 2: every CLI option in the planner, and the command it shows is the one the CLI runs.
const ROOT = join(__dirname, '../..')
const app = useApp('sample=0')

/** Runs a command line as a user would paste it into bash, with `shardscope` being this checkout's CLI. */
function runInShell(command: string) {
  const bin = join(app.scratch, 'bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(bin, 'shardscope'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/shardscope.cjs')}" "$@"\n`
  )
  chmodSync(join(bin, 'shardscope'), 0o755)
  return spawnSync('bash', ['-c', command], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }
  })
}

function files(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1))
    .sort()
}

describe('the planner and the command line', () => {
  it('offers every transform option, and its command writes the same files as the app', async () => {
    const { page } = app
    const out = join(app.scratch, 'converted out')
    await showView(page, 'Transform planner')
    await page.getByLabel('Checkpoint folder', { exact: true }).fill(oracle('mp2x4_to_mp4', 'src'))
    await page
      .getByLabel('Source strategy', { exact: true })
      .fill(oracle('mp2x4_to_mp4', 'src_strategy.ckpt'))
    await page
      .getByLabel('Destination strategy', { exact: true })
      .fill(oracle('mp2x4_to_mp4', 'dst_strategy.ckpt'))
    await page.getByLabel('Destination folder', { exact: true }).fill(out)
    await page.getByLabel('Output prefix').fill('model_')
    await page.getByLabel('Destination ranks', { exact: true }).fill('1, 3')
    await page.getByLabel('Ranks in parallel').fill('2')
    await page.getByLabel('Cast floats to').selectOption('float32')
    await page.getByLabel('Exclude parameters').fill('^global_step$')
    await page.getByLabel('Add CRC trailer').check()
    await page.getByLabel('Check source CRCs').check()
    await page.getByLabel('Flush to disk (fsync)').check()
    await page.getByLabel('Record SHA-256 too').check()
    const command = (await page
      .getByTestId('transform-command')
      .locator('code')
      .getAttribute('data-command'))!
    expect(command).toBe(
      `shardscope transform --src ${oracle('mp2x4_to_mp4', 'src')} --dst '${out}' --src-strategy ${oracle('mp2x4_to_mp4', 'src_strategy.ckpt')} --dst-strategy ${oracle('mp2x4_to_mp4', 'dst_strategy.ckpt')} --prefix model_ --rank 1 --rank 3 --dtype float32 --exclude '^global_step$' --crc --verify-crc --fsync --sha256 --jobs 2`
    )
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    await expect.poll(() => page.getByTestId('plan-rank').count()).toBe(2)
    await screenshotBothThemes(page, 'p1-planner-every-option')

    // The command, exactly as shown, run by the CLI; its output set aside for comparison.
    const cli = runInShell(command)
    expect(cli.status, cli.stderr).toBe(0)
    renameSync(out, `${out}-cli`)

    await page.getByRole('button', { name: 'Start conversion' }).click()
    await page.getByTestId('manifest-summary').waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('verified').innerText()).toContain('All 2 outputs verified')
    expect(files(out)).toEqual(['rank_1/model_1.ckpt', 'rank_3/model_3.ckpt', 'shardscope-manifest.json'])
    expect(files(`${out}-cli`)).toEqual(files(out))
    for (const file of ['rank_1/model_1.ckpt', 'rank_3/model_3.ckpt'])
      expect(readFileSync(join(out, file)).equals(readFileSync(join(`${out}-cli`, file)))).toBe(true)
    const manifests = [out, `${out}-cli`].map((f) =>
      JSON.parse(readFileSync(join(f, 'shardscope-manifest.json'), 'utf8'))
    )
    expect(manifests[0].options).toEqual(manifests[1].options)
    // Both runs recorded SHA-256 besides XXH3-128, and the same digests.
    for (const file of ['rank_1/model_1.ckpt', 'rank_3/model_3.ckpt']) {
      const [app, cli] = manifests.map((m) => m.outputs[file].hashes)
      expect(app.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(app).toEqual(cli)
    }
    // The Run view offers the verify command for the result, and it passes.
    const verify = (await page
      .getByTestId('result-verify-command')
      .locator('code')
      .getAttribute('data-command'))!
    expect(verify).toBe(`shardscope verify '${out}'`)
    const verified = runInShell(verify)
    expect(verified.stdout).toContain('All 2 outputs verified')
    await screenshot(page, 'p2-run-with-verify-command')
  })

  it('checks options as the CLI does, before anything is sent', async () => {
    const { page } = app
    await showView(page, 'Transform planner')
    const plan = page.getByRole('button', { name: 'Plan', exact: true })
    await page.getByLabel('Output prefix').fill('bad/prefix')
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'no slashes' }).count()).toBe(1)
    expect(await plan.isDisabled()).toBe(true)
    expect(await page.getByTestId('transform-command').count()).toBe(0)
    await page.getByLabel('Output prefix').fill('model_')
    await page.getByLabel('Destination ranks', { exact: true }).fill('3-1')
    await page.getByRole('alert').filter({ hasText: 'runs backwards' }).waitFor()
    await page.getByLabel('Destination ranks', { exact: true }).fill('')
    await page.getByLabel('Format').selectOption('safetensors')
    await page.getByRole('alert').filter({ hasText: 'safetensors outputs do not have one' }).waitFor()
    expect(await plan.isDisabled()).toBe(true)
    await page.getByLabel('Add CRC trailer').uncheck()
    await page.getByText('Encrypted source (decryption key)').click()
    await page.getByLabel('Hex digits').check()
    await page.getByLabel('Key', { exact: true }).fill('abc')
    await page.getByRole('alert').filter({ hasText: 'an AES or SM4 key has 32, 48 or 64' }).waitFor()
    await screenshot(page, 'p3-planner-option-checks')
    await page.getByLabel('Key', { exact: true }).fill('00112233445566778899aabbccddeeff')
    expect(await plan.isDisabled()).toBe(false)
    // A key typed as hex stays off the screen; the copy holds it.
    const code = page.getByTestId('transform-command').locator('code')
    expect(await code.innerText()).not.toContain('00112233445566778899aabbccddeeff')
    expect(await code.getAttribute('data-command')).toContain('--dec-key 00112233445566778899aabbccddeeff')
  })

  it('left no errors in the page', () => {
    expect(app.errors).toEqual([])
  })
})
