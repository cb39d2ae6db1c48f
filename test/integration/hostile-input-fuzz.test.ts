import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FuzzRun } from '../helpers/fuzz-runner'
import { buildHostileCorpus, type HostileCase } from '../helpers/hostile-corpus'

const ROOT = join(__dirname, '../..')

// Caps that only catch hangs and blow-ups: every case takes well under a second; the findings this guards
// against took 40 s, ran out of memory or never ended. The heap cap makes a blow-up fail fast instead of swapping.
const CASE_MS = 30_000
const BATCH_MS = 300_000
const HEAP_MB = 512
// Characters a terminal acts on; inspect's text and every CLI error line must hold none but the line feeds.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/

function expectOutcome(c: HostileCase, run: { code: number | null; stdout: string; stderr: string }) {
  const where = `case ${c.id} (${c.kind}): shardscope ${c.argv.join(' ')}\n${run.stderr.slice(0, 2000)}`
  const allowed = { ok: [0], refused: [2], either: [0, 2] }[c.expect]
  expect(allowed, where).toContain(run.code)
  expect(run.stderr, where).not.toMatch(
    /\n\s+at |internal error|Maximum call stack|Invalid array length|FATAL/
  )
  if (run.code === 2) {
    const last = run.stderr.trimEnd().split('\n').pop()!
    expect(run.stderr, where).toContain(c.names)
    expect(last, where).toMatch(/^(shardscope \S+: |error: )/)
    expect(last, where).not.toMatch(RAW_CONTROLS)
  }
  // Inspect escapes its whole text output; plan's per-problem lines are not ours to check (see report).
  if (c.argv[0] === 'inspect' || c.argv[0] === 'ranks') {
    expect(run.stdout, where).not.toMatch(RAW_CONTROLS)
    if (c.argv[0] === 'inspect') expect(run.stderr, where).not.toMatch(RAW_CONTROLS)
  }
}

describe('hostile input fuzz: fixed-seed corpus through the CLI', () => {
  let corpus: HostileCase[]
  let dir: string
  beforeAll(async () => {
    // One folder for both tests (the per-test temp dirs are removed after each test).
    dir = mkdtempSync(join(tmpdir(), 'shardscope-fuzz-'))
    corpus = await buildHostileCorpus(dir)
  }, 120_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it(
    'every case exits 0 or 2 as it should, names the file, prints no stack trace, in bounded time and memory',
    () => {
      expect(corpus.length).toBeGreaterThan(100)
      const manifest = join(dir, 'cases.json')
      writeFileSync(manifest, JSON.stringify(corpus.map((c) => ({ id: c.id, argv: c.argv }))))
      const result = spawnSync(
        process.execPath,
        [
          `--max-old-space-size=${HEAP_MB}`,
          '--import',
          'tsx',
          join(ROOT, 'test/helpers/fuzz-runner.ts'),
          manifest
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: BATCH_MS, maxBuffer: 256 * 1024 * 1024 }
      )
      const lines = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FuzzRun | { started: number })
      const runs = lines.filter((l): l is FuzzRun => 'code' in l)
      const lastStarted = [...lines].reverse().find((l) => 'started' in l) as { started: number } | undefined
      const stuck =
        lastStarted && !runs.some((r) => r.id === lastStarted.started)
          ? corpus[lastStarted.started]
          : undefined
      expect(
        {
          status: result.status,
          signal: result.signal,
          stuck: stuck && `${stuck.kind}: ${stuck.argv.join(' ')}`
        },
        result.stderr.slice(-3000)
      ).toEqual({ status: 0, signal: null, stuck: undefined })
      expect(runs).toHaveLength(corpus.length)
      for (const run of runs) {
        const c = corpus[run.id]!
        expectOutcome(c, run)
        expect(run.ms, `case ${c.id} (${c.kind}) took ${Math.round(run.ms)} ms`).toBeLessThan(CASE_MS)
      }
      // Every kind of finding is in the corpus; mutations of real files give both outcomes.
      const kinds = new Set(corpus.map((c) => c.kind))
      expect(kinds.size).toBe(9)
      const mutated = runs.filter((r) => corpus[r.id]!.expect === 'either').map((r) => r.code)
      expect(new Set(mutated)).toEqual(new Set([0, 2]))
    },
    BATCH_MS + 30_000
  )

  it('a sample runs through the real command line, one process each, with a small heap', () => {
    // The kinds that once crashed the process itself (out of memory, stack overflow) or hung it.
    const picks: [string, string][] = [
      ['huge numbers (JSON)', 'ranks'],
      ['huge numbers (protobuf)', 'plan'],
      ['deep JSON (strategy)', 'ranks'],
      ['repeated tags', 'inspect']
    ]
    const sample = picks.map(([kind, command]) =>
      corpus.filter((c) => c.kind === kind && c.argv[0] === command).at(-1)!
    )
    for (const c of sample) {
      const result = spawnSync(
        process.execPath,
        ['--max-old-space-size=256', '--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), ...c.argv],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 }
      )
      expect(result.signal, `case ${c.id} (${c.kind}) was killed`).toBeNull()
      expectOutcome(c, { code: result.status, stdout: result.stdout, stderr: result.stderr })
    }
  }, 600_000)
})
