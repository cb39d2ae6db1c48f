import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../src-main/engine/exec/native-addon'
import { describeMode, startTestCluster, type TestCluster } from '../helpers/cluster-nodes'
import { makeConvertedFolder, rankTableFor } from '../helpers/cluster-outputs'
import { compileStubLibrary } from '../helpers/npu-stubs'
import { screenshotBothThemes } from './app-steps'
import { linkWithQuery, screenshot, showView, startApp, type App } from './harness'

// Where the native NPU probe cannot load, "this machine" says so instead of listing the stub's NPUs.
const localProbeWorks = !('error' in loadAddon(['probeNpus']))

let app: App
let cluster: TestCluster
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sscl-e2e-'))
  // This machine looks like an Ascend host with a driver (the stub libdcmi.so) to the app's engine processes.
  compileStubLibrary('dcmi', join(dir, 'ascend', 'lib64'))
  process.env.ASCEND_HOME_PATH = join(dir, 'ascend')
  cluster = await startTestCluster({ nodes: 3, npuSmi: { 0: '910b', 1: '910b', 2: '910' } })
  console.log(describeMode(cluster))
  app = await startApp()
})

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(app.page, 'failed-cluster')
})

afterAll(async () => {
  delete process.env.ASCEND_HOME_PATH
  await app?.close()
  await cluster?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the Cluster view drives a push to the namespace nodes', () => {
  it('opens a rank table into the view, trusts host keys in a dialog, probes, pushes and shows the launch lines', async () => {
    const { page } = app
    const { folder } = makeConvertedFolder(dir, [200_000, 200_000, 300_000, 300_000, 400_000, 400_000])
    const table = rankTableFor(dir, 3, 2)
    const profile = join(dir, 'cluster.json')
    writeFileSync(profile, JSON.stringify(cluster.profile(false)))

    await page.goto(linkWithQuery(app.url, 'sample=0'))
    await showView(page, 'Open')
    await page.getByLabel('Path', { exact: true }).fill(table)
    await page.getByLabel('Path', { exact: true }).press('Enter')
    await page.getByTestId('view-cluster').waitFor()
    // The first request starts the engine processes (3-5 s on a loaded machine).
    await expect.poll(() => page.getByTestId('cluster-device').count(), { timeout: 30_000 }).toBe(6)

    await page.getByLabel('Cluster profile', { exact: true }).fill(profile)
    await page.getByLabel('Converted output folder', { exact: true }).fill(folder)
    await page.getByRole('button', { name: 'Show' }).click()
    await expect.poll(() => page.getByTestId('server-card').count()).toBe(3)
    await expect
      .poll(() => page.locator('[data-testid="cluster-device"][data-destination="true"]').count())
      .toBe(6)

    // No key is pinned yet: the push stops at each node and the dialog shows its fingerprint.
    await page.getByRole('button', { name: 'Push', exact: true }).click()
    for (let i = 0; i < 3; i++) {
      const dialog = page.getByRole('dialog')
      await dialog.waitFor()
      const fingerprint = await dialog.getByTestId('fingerprint').innerText()
      expect(cluster.nodes.map((n) => n.hostKey)).toContain(fingerprint)
      if (i === 0) await screenshot(page, 'cluster-trust-dialog')
      await dialog.getByRole('button', { name: 'Trust and pin' }).click()
    }
    const pinnedKeys = () =>
      Object.values(JSON.parse(readFileSync(profile, 'utf8')).servers)
        .map((s) => (s as { hostKey?: string }).hostKey)
        .sort()
    await expect.poll(pinnedKeys, { timeout: 10_000 }).toEqual(cluster.nodes.map((n) => n.hostKey).sort())

    await page.getByRole('button', { name: 'Probe NPUs' }).click()
    await expect.poll(() => page.getByTestId('npu-bars').count(), { timeout: 30_000 }).toBe(3)
    await expect
      .poll(() => page.getByTestId('fit-check').innerText())
      .toContain('rank 0: 195 KiB shard, NPU 0 on node-0 has 64.0 GiB')

    // This machine's own NPUs, from its driver, beside the servers'.
    const local = page.getByTestId('local-npus')
    if (localProbeWorks) {
      await expect.poll(() => local.getAttribute('data-status')).toBe('ok')
      expect(await local.innerText()).toContain('8 NPUs · driver (libdcmi.so)')
      await expect.poll(() => local.locator('.npu-bar').count()).toBe(8)
    } else await expect.poll(() => local.getAttribute('data-status')).toBe('unavailable')
    await local.scrollIntoViewIfNeeded()
    await screenshotBothThemes(page, 'cluster-probed')

    await page.getByRole('button', { name: /Resume push|Push/ }).click()
    await expect
      .poll(() => page.getByTestId('push-summary').innerText(), { timeout: 60_000 })
      .toContain('All 3 servers done')
    await expect.poll(() => page.locator('[data-testid="push-file"][data-outcome="sent"]').count()).toBe(6)
    const launch = await page.getByTestId('msrun-line').allInnerTexts()
    expect(launch[2]).toContain('--worker_num=6 --local_worker_num=2')
    expect(launch[2]).toContain('--node_rank=2')
    await screenshot(page, 'cluster-pushed')
    expect(app.errors).toEqual([])
  })

  it('draws a 64-server × 16-NPU cluster with its 1,024 destination ranks', async () => {
    const { page } = app
    const big = join(dir, 'big')
    mkdirSync(big)
    const { folder } = makeConvertedFolder(big, Array(1024).fill(1000))
    const table = rankTableFor(big, 64, 16)
    await page.getByLabel('Rank table or hostfile', { exact: true }).fill(table)
    await page.getByLabel('Cluster profile', { exact: true }).fill('')
    await page.getByLabel('Converted output folder', { exact: true }).fill(folder)
    await page.getByRole('button', { name: 'Show' }).click()
    await expect.poll(() => page.getByTestId('cluster-device').count(), { timeout: 30_000 }).toBe(1024)
    await expect.poll(() => page.getByTestId('server-card').count()).toBe(64)
    // The last push and probe were of another layout: neither is shown as this one's.
    expect(await page.getByRole('button', { name: 'Push', exact: true }).count()).toBe(1)
    expect(await page.getByTestId('push-summary').count()).toBe(0)
    expect(await page.getByTestId('local-npus').count()).toBe(0)
    await screenshotBothThemes(page, 'cluster-64x16')
    await page
      .getByTestId('server-card')
      .first()
      .evaluate((card) => card.scrollIntoView())
    await screenshotBothThemes(page, 'cluster-64x16-cards')
    expect(app.errors).toEqual([])
  })
})
