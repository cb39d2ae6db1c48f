import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readWorkerProgress } from '../../src-main/engine/exec/worker-progress'
import { cli } from '../helpers/cli'
import { writeSyntheticConversion } from '../helpers/synthetic'
import { screenshotBothThemes, showTheme, showView, useApp } from './app-steps'

// Issue 11, point 5: the Run view's "Run on the cluster" — choose the launcher, see the files and the command,
// start mpirun for real, follow each worker from its progress file.
const app = useApp('sample=0')
const hasMpirun = spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status === 0
let root: string

declare const axe: {
  run(
    context: unknown,
    options: unknown
  ): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>
}
const AXE = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's findings inside the "Run on the cluster" panel, in one theme. */
async function panelViolations(theme: 'light' | 'dark'): Promise<string[]> {
  const { page } = app
  await showTheme(page, theme)
  await page.waitForTimeout(150)
  // Evaluated through the debugging protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(AXE)
  const result = await page.evaluate(() =>
    axe.run('[data-testid="cluster-run"]', { resultTypes: ['violations'] })
  )
  await showTheme(page, 'light')
  return result.violations.map(
    (v) => `${v.id} (${theme}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
  )
}

/** Plans the synthetic conversion `args` describe into `out` in the planner, and waits for its 8 ranks. */
async function planInApp(args: string[], out: string, options: { ranksInParallel?: number } = {}) {
  const { page } = app
  const flag = (name: string) => args[args.indexOf(name) + 1]!
  await showView(page, 'Transform planner')
  await page.getByLabel('Checkpoint folder', { exact: true }).fill(flag('--src'))
  await page.getByLabel('Source strategy', { exact: true }).fill(flag('--src-strategy'))
  await page.getByLabel('Destination strategy', { exact: true }).fill(flag('--dst-strategy'))
  await page.getByLabel('Destination folder', { exact: true }).fill(out)
  if (options.ranksInParallel !== undefined)
    await page.getByLabel('Ranks in parallel').fill(String(options.ranksInParallel))
  await page.getByRole('button', { name: 'Plan', exact: true }).click()
  await expect.poll(() => page.getByTestId('plan-rank').count(), { timeout: 90_000 }).toBe(8)
}

describe.skipIf(!hasMpirun)('Run on the cluster', () => {
  it('starts mpirun with two workers and shows each worker complete; the outputs verify', async () => {
    const { page } = app
    root = join(app.scratch, 'model')
    const { args } = await writeSyntheticConversion(root, 16, 256)
    const out = join(root, 'out')
    // Typed with a trailing slash, which main resolves away: the Run view still knows the launch is this plan's.
    await planInApp(args, `${out}/`)

    await showView(page, 'Run')
    const panel = page.getByTestId('cluster-run')
    await panel.getByLabel('mpirun').check()
    await panel.getByLabel('Workers', { exact: true }).fill('2')
    await panel.getByRole('button', { name: 'Write and start' }).click()
    await expect
      .poll(() => panel.getByTestId('worker-share').allInnerTexts(), { timeout: 90_000 })
      .toEqual(['Worker 0: destination ranks 0, 2, 4 and 6', 'Worker 1: destination ranks 1, 3, 5 and 7'])
    expect(await panel.getByTestId('launch-file').allInnerTexts()).toEqual([
      join(root, 'shardscope-launch-out', 'mpirun.sh')
    ])
    expect(await panel.getByTestId('cluster-how-to').innerText()).toContain('mpirun.sh')
    const complete = panel.locator('[data-testid="worker-row"][data-state="complete"]')
    await expect.poll(() => complete.count(), { timeout: 120_000 }).toBe(2)
    await expect
      .poll(() => panel.getByTestId('launcher-state').getAttribute('data-state'), { timeout: 60_000 })
      .toBe('exited')
    expect(await panel.getByTestId('launcher-state').innerText()).toBe('The launcher ended without error.')
    // The plan ran, on the cluster: the view above the panel does not say it was never started.
    expect(await page.getByTestId('run-empty').innerText()).toBe(
      `Nothing converts in this window: this plan (8 outputs into ${out}/) was launched on the cluster, and its workers' progress is below.`
    )
    expect(await complete.nth(0).innerText()).toMatch(
      /0 of 2[\s\S]*0, 2, 4 and 6[\s\S]*complete[\s\S]*8\.00 MiB of 8\.00 MiB/
    )
    const verify = await cli('verify', out)
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.stdout).toContain('Workers: 2 of 2 shares')
    await panel.scrollIntoViewIfNeeded()
    await screenshotBothThemes(page, 'cr1-cluster-run-mpirun-complete')
    expect([...(await panelViolations('light')), ...(await panelViolations('dark'))]).toEqual([])
    expect(app.errors).toEqual([])
  })

  it('writes a Kubernetes Indexed Job to read, without starting anything', async () => {
    const { page } = app
    const panel = page.getByTestId('cluster-run')
    await panel.getByLabel('Kubernetes Indexed Job').check()
    await expect.poll(() => panel.getByRole('button', { name: 'Write and start' }).count()).toBe(0)
    await panel.getByLabel('Workers', { exact: true }).fill('4')
    await panel.getByLabel('Image', { exact: true }).fill('registry.example/shardscope:1.0')
    await panel.getByLabel('or host path', { exact: true }).fill(root)
    await panel.getByLabel('Mount path', { exact: true }).fill(root)
    await panel.getByLabel('Launch files folder', { exact: true }).fill(join(root, 'k8s-launch'))
    await panel.getByRole('button', { name: 'Write the launch files' }).click()
    const file = panel.getByTestId('launch-file')
    await expect
      .poll(() => file.allInnerTexts(), { timeout: 90_000 })
      .toEqual([join(root, 'k8s-launch', 'shardscope-job.json')])
    expect(await panel.getByTestId('cluster-how-to').innerText()).toContain('kubectl')
    const job = JSON.parse(await panel.locator('.launch-file pre').first().innerText())
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 })
    expect(await panel.getByTestId('worker-share').count()).toBe(4)
    await screenshotBothThemes(page, 'cr2-cluster-run-k8s-job')

    // A bad entry gets a sentence from main, not a crash.
    await panel.getByLabel('Mount path', { exact: true }).fill('relative/path')
    await panel.getByRole('button', { name: 'Write the launch files' }).click()
    await expect
      .poll(() => panel.getByTestId('cluster-run-error').innerText(), { timeout: 30_000 })
      .toContain('params.k8s.mountPath must be an absolute path')
    expect(app.errors).toEqual([])
  })

  it('cancels the running workers from the view, then starts again and resumes to complete outputs', async () => {
    const { page } = app
    const big = join(app.scratch, 'big')
    // 1 GiB in all: enough that the workers are still writing when the cancel lands, even on an idle machine.
    const { args } = await writeSyntheticConversion(big, 32, 8192)
    const out = join(big, 'out')
    await planInApp(args, out, { ranksInParallel: 1 })

    await showView(page, 'Run')
    const panel = page.getByTestId('cluster-run')
    await panel.getByLabel('mpirun').check()
    await panel.getByLabel('Workers', { exact: true }).fill('2')
    await panel.getByRole('button', { name: 'Write and start' }).click()
    // The launch folder typed for the previous plan's destination does not carry over to this one.
    await expect
      .poll(() => panel.getByTestId('launch-file').allInnerTexts(), { timeout: 90_000 })
      .toEqual([join(big, 'shardscope-launch-out', 'mpirun.sh')])
    // Cancel as soon as a worker's own progress file says it has begun: the view polls once a second, and a
    // 512 MiB share can be written in about that time, so waiting for the view's row raced the workers' end.
    await expect
      .poll(
        async () =>
          (await readWorkerProgress(out)).some((w) => w.state === 'planning' || w.state === 'running'),
        {
          timeout: 120_000,
          interval: 20
        }
      )
      .toBe(true)
    await panel.getByRole('button', { name: 'Cancel the cluster run' }).click()
    await expect
      .poll(() => panel.getByTestId('launcher-state').getAttribute('data-state'), { timeout: 60_000 })
      .toBe('exited')
    expect(await panel.getByTestId('launcher-state').innerText()).toMatch(
      /^The launcher ended with exit code \d+: finished outputs are kept, and starting again resumes from them\.$/
    )
    // A worker that got mpirun's SIGTERM records "cancelled"; one that its SIGKILL caught first is shown stopped
    // ("failed", in words); which of the two happens is up to mpirun's timing, not ours.
    const stopped = panel.locator(
      '[data-testid="worker-row"][data-state="cancelled"], [data-testid="worker-row"][data-state="failed"]'
    )
    await expect.poll(() => stopped.count(), { timeout: 30_000 }).toBeGreaterThan(0)
    for (const text of await panel.locator('[data-testid="worker-row"][data-state="failed"]').allInnerTexts())
      expect(text).toContain('was stopped when mpirun ended')
    // mpirun has ended, so no worker is shown running, whatever its last progress file said.
    expect(await panel.locator('[data-testid="worker-row"][data-state="running"]').count()).toBe(0)
    expect((await cli('verify', out)).code).not.toBe(0)
    await panel.getByTestId('launcher-state').scrollIntoViewIfNeeded()
    await screenshotBothThemes(page, 'cr3-cluster-run-cancelled')

    await panel.getByRole('button', { name: 'Start again (resumes)' }).click()
    const complete = panel.locator('[data-testid="worker-row"][data-state="complete"]')
    await expect.poll(() => complete.count(), { timeout: 180_000 }).toBe(2)
    await expect
      .poll(() => panel.getByTestId('launcher-state').innerText(), { timeout: 60_000 })
      .toBe('The launcher ended without error.')
    expect((await cli('verify', out)).code).toBe(0)
    expect(app.errors).toEqual([])
  })
})
