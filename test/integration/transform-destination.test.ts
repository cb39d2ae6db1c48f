import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LOCK_NAME } from '../../src-main/engine/exec/destination-lock'
import { MANIFEST_NAME } from '../../src-main/engine/exec/manifest'
import { runTransform } from '../../src-main/engine/exec/run-transform'
import { readStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { planTransform } from '../../src-main/engine/plan/plan-transform'
import { cli } from '../helpers/cli'
import { oracle } from '../helpers/fixtures'
import { ORACLE_CASES, strategyFlags, transformArgs } from '../helpers/oracle-cases'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const MP = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!
const FULL = ORACLE_CASES.find((c) => c.name === 'full_to_mp2x4')!

/** A private copy of a case's source folder: tests here point destinations at it. */
function sourceCopy(name = MP.name): string {
  const dir = join(tempDir(), 'src')
  cpSync(oracle(name, 'src'), dir, { recursive: true })
  return dir
}

/** Every file under a folder with its SHA-256: to show a source came out untouched. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const path = join(e.parentPath, e.name)
      out[path.slice(dir.length)] = createHash('sha256').update(readFileSync(path)).digest('hex')
    }
  return out
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

async function refused(args: string[], pattern: RegExp | string) {
  const result = await cli(...args)
  expect(result.code, result.stderr).toBe(2)
  expect(result.stderr).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  return result
}

describe('a destination that is, or reaches into, the source is refused before anything is written', () => {
  it('--dst equal to --src, also spelled differently or through a link', async () => {
    const src = sourceCopy()
    const before = fingerprint(src)
    const args = (dst: string) => ['transform', '--src', src, '--dst', dst, ...strategyFlags(MP)]
    await refused(args(src), `error: The destination ${src} is the source folder ${src}`)
    await refused(args(`${src}/./`), `is the source folder ${src}`)
    const link = join(tempDir(), 'link')
    symlinkSync(src, link)
    await refused(args(link), `error: The destination ${link} is the source folder ${src}`)
    expect(fingerprint(src)).toEqual(before)
  })

  it('a destination inside the source', async () => {
    const src = sourceCopy()
    await refused(
      ['transform', '--src', src, '--dst', join(src, 'converted'), ...strategyFlags(MP)],
      `The destination ${join(src, 'converted')} lies inside the source folder ${src}`
    )
    expect(existsSync(join(src, 'converted'))).toBe(false)
  })

  it('a destination rank_N/ that is a symbolic link into a source rank folder', async () => {
    const src = sourceCopy()
    const before = fingerprint(src)
    const dst = tempDir()
    symlinkSync(join(src, 'rank_2'), join(dst, 'rank_2'))
    await refused(
      ['transform', '--src', src, '--dst', dst, ...strategyFlags(MP)],
      `The destination's rank_2/ resolves to ${join(src, 'rank_2')}, which is the source rank folder ${join(src, 'rank_2')}`
    )
    expect(fingerprint(src)).toEqual(before)
  })

  it('an output that is a hard link of a source file', async () => {
    const src = sourceCopy()
    const dst = tempDir()
    mkdirSync(join(dst, 'rank_0'))
    linkSync(join(src, 'rank_0', 'checkpoint_0.ckpt'), join(dst, 'rank_0', 'checkpoint_0.ckpt'))
    await refused(
      ['transform', '--src', src, '--dst', dst, ...strategyFlags(MP)],
      `The output ${join(dst, 'rank_0', 'checkpoint_0.ckpt')} is the source file ${join(src, 'rank_0', 'checkpoint_0.ckpt')}`
    )
  })

  it('also when the plan was made before the destination became a link into the source', async () => {
    const src = sourceCopy()
    const before = fingerprint(src)
    const dst = join(tempDir(), 'out')
    const plan = await planTransform({
      sourceFolder: src,
      destinationFolder: dst,
      sourceStrategy: await readStrategyFile(oracle(MP.name, 'src_strategy.ckpt')),
      destinationStrategy: await readStrategyFile(oracle(MP.name, 'dst_strategy.ckpt')),
      options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' }
    })
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([])
    symlinkSync(join(src, 'rank_1'), dst)
    await expect(runTransform(plan, { jobs: 1 })).rejects.toMatchObject({
      code: 'PLAN_INVALID',
      message: expect.stringContaining(`The destination ${dst} is the source rank folder`)
    })
    expect(fingerprint(src)).toEqual(before)
  })

  it('in the planner the app uses too, with a code the UI can act on', async () => {
    const src = sourceCopy()
    const plan = await planTransform({
      sourceFolder: src,
      destinationFolder: src,
      sourceStrategy: await readStrategyFile(oracle(MP.name, 'src_strategy.ckpt')),
      destinationStrategy: await readStrategyFile(oracle(MP.name, 'dst_strategy.ckpt')),
      options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' }
    })
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'destination-aliases-source', file: src })
    ])
  })
})

describe('a destination holds nothing, this same conversion, or (with --overwrite) a conversion it may replace', () => {
  it('refuses another conversion, naming what would be replaced; --overwrite replaces it and leaves no stale output', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(FULL, dst))).code).toBe(0)
    const old = fingerprint(dst)
    expect(Object.keys(old).filter((f) => f.endsWith('.ckpt'))).toHaveLength(8)

    const other = await refused(
      transformArgs(MP, dst),
      `error: ${dst} holds another conversion (from ${oracle(FULL.name, 'src')}, last written`
    )
    expect(other.stderr).toMatch(
      /8 outputs\); this conversion would replace rank_0\/checkpoint_0\.ckpt, .* and 3 more\./
    )
    expect(other.stderr).toContain('confirm with --overwrite')
    expect(fingerprint(dst)).toEqual(old)

    const replaced = await cli(...transformArgs(MP, dst), '--overwrite')
    expect(replaced.code, replaced.stderr).toBe(0)
    expect(replaced.stderr).toMatch(
      /warning: .* as asked \(overwrite\), its 8 files .* and its manifest are deleted/
    )
    // The old conversion had 8 ranks, the new one 4: nothing of ranks 4-7 may survive under the new manifest.
    expect(files(dst)).toEqual([
      'rank_0/checkpoint_0.ckpt',
      'rank_1/checkpoint_1.ckpt',
      'rank_2/checkpoint_2.ckpt',
      'rank_3/checkpoint_3.ckpt',
      MANIFEST_NAME
    ])
    const manifest = JSON.parse(readFileSync(join(dst, MANIFEST_NAME), 'utf8'))
    expect(manifest.sourceFolder).toBe(oracle(MP.name, 'src'))
    expect(Object.keys(manifest.outputs).sort()).toEqual(files(dst).filter((f) => f.endsWith('.ckpt')))
    for (const [rank, expected] of Object.entries(MP.expected_checkpoints))
      expect(
        readFileSync(join(dst, `rank_${rank}`, `checkpoint_${rank}.ckpt`)).equals(
          readFileSync(oracle(expected))
        )
      ).toBe(true)
    expect((await cli('verify', dst)).code).toBe(0)
  })

  it('a source rewritten since the last run (the next training step) is another conversion, not a resume', async () => {
    const src = sourceCopy()
    const dst = tempDir()
    expect((await cli('transform', '--src', src, '--dst', dst, ...strategyFlags(MP))).code).toBe(0)
    const victim = join(src, 'rank_3', 'checkpoint_3.ckpt')
    const bytes = readFileSync(victim)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1
    writeFileSync(victim, bytes)
    await refused(['transform', '--src', src, '--dst', dst, ...strategyFlags(MP)], 'holds another conversion')
  })

  it('resumes the same conversion, also one --rank at a time', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(MP, dst), '--rank', '1')).code).toBe(0)
    const second = await cli(...transformArgs(MP, dst), '--rank', '3')
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain("The destination holds 2 of the conversion's 4 destination ranks.")
    const all = await cli(...transformArgs(MP, dst))
    expect(all.code, all.stderr).toBe(0)
    expect(all.stderr).toContain(
      `note: ${dst} holds 2 finished outputs of this same conversion; the run resumes`
    )
    expect(all.stdout).toContain('2 were already done and verified')
  })

  it('refuses entries Shardscope did not write, with or without --overwrite, and never deletes them', async () => {
    const dst = tempDir()
    writeFileSync(join(dst, 'notes.txt'), 'mine')
    mkdirSync(join(dst, 'rank_0'))
    writeFileSync(join(dst, 'rank_0', 'net_0.ckpt'), 'also mine')
    for (const extra of [[], ['--overwrite']])
      await refused(
        [...transformArgs(MP, dst), ...extra],
        `error: The destination ${dst} holds 2 entries that Shardscope did not write (notes.txt, rank_0/net_0.ckpt); they are not Shardscope's to replace or delete`
      )
    expect(files(dst)).toEqual(['notes.txt', 'rank_0/net_0.ckpt'])
  })

  it('refuses checkpoints no manifest vouches for (say MindSpore’s own output), even with --overwrite', async () => {
    const dst = tempDir()
    mkdirSync(join(dst, 'rank_0'))
    cpSync(oracle(MP.expected_checkpoints['0']!), join(dst, 'rank_0', 'checkpoint_0.ckpt'))
    for (const extra of [[], ['--overwrite']])
      await refused(
        [...transformArgs(MP, dst), ...extra],
        `already holds rank_0/checkpoint_0.ckpt, and no Shardscope manifest vouches for it`
      )
  })

  it('treats leftovers of a dead run (a stale lock, temporary files) as nothing, and removes them', async () => {
    const dst = tempDir()
    mkdirSync(join(dst, 'rank_1'))
    writeFileSync(join(dst, 'rank_1', 'checkpoint_1.ckpt.shardscope-0123456789ab.tmp'), 'half')
    writeFileSync(
      join(dst, 'rank_1', 'checkpoint_1.ckpt.tmp'),
      'half, written by Shardscope before per-run names'
    )
    writeFileSync(
      join(dst, LOCK_NAME),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: (await import('node:os')).hostname(),
        runId: 'dead',
        startedAt: 'x'
      })
    )
    const result = await cli(...transformArgs(MP, dst))
    expect(result.code, result.stderr).toBe(0)
    expect(files(dst).filter((f) => !f.endsWith('.ckpt'))).toEqual([MANIFEST_NAME])
  })

  it('passes over NFS placeholders of files deleted while open, and leaves them; a look-alike name is refused', async () => {
    const dst = tempDir()
    mkdirSync(join(dst, 'rank_1'))
    const placeholders = ['.nfs0000000001a2b3c400000001', 'rank_1/.nfs00000000000fe21d00000002']
    for (const name of placeholders) writeFileSync(join(dst, name), 'held open by a reader')
    const result = await cli(...transformArgs(MP, dst))
    expect(result.code, result.stderr).toBe(0)
    expect(files(dst).filter((f) => f.includes('.nfs'))).toEqual(placeholders.sort())
    const verified = await cli('verify', dst)
    expect(verified.code, verified.stdout).toBe(0)

    const other = tempDir()
    writeFileSync(join(other, '.nfs-notes'), 'mine')
    await refused(
      transformArgs(MP, other),
      `holds 1 entry that Shardscope did not write (.nfs-notes); it is not Shardscope's to replace or delete, so choose an empty or new folder, or move it away.`
    )
  })

  it('a run killed after listing an output but before renaming it into place: verify says it is missing, the re-run redoes it', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(MP, dst))).code).toBe(0)
    const expected = readFileSync(join(dst, 'rank_2', 'checkpoint_2.ckpt'))
    // The state such a kill leaves: the manifest lists the output, which is still under its temporary name.
    renameSync(
      join(dst, 'rank_2', 'checkpoint_2.ckpt'),
      join(dst, 'rank_2', 'checkpoint_2.ckpt.shardscope-0123456789ab.tmp')
    )
    const verified = await cli('verify', dst)
    expect(verified.code).not.toBe(0)
    expect(verified.stdout).toMatch(/MISSING +rank_2\/checkpoint_2\.ckpt/)

    const resumed = await cli(...transformArgs(MP, dst), '--json')
    expect(resumed.code, resumed.stderr).toBe(0)
    const summary = JSON.parse(resumed.stdout) as { outputs: { output: string; skipped: boolean }[] }
    expect(summary.outputs.filter((o) => !o.skipped).map((o) => o.output)).toEqual([
      'rank_2/checkpoint_2.ckpt'
    ])
    expect(readFileSync(join(dst, 'rank_2', 'checkpoint_2.ckpt')).equals(expected)).toBe(true)
    expect(files(dst).filter((f) => !f.endsWith('.ckpt'))).toEqual([MANIFEST_NAME])
    expect((await cli('verify', dst)).code).toBe(0)
  })

  it('an output that cannot take its final name is withdrawn from the manifest and its temporary file deleted', async () => {
    const dst = join(tempDir(), 'out')
    const plan = await planTransform({
      sourceFolder: oracle(MP.name, 'src'),
      destinationFolder: dst,
      sourceStrategy: await readStrategyFile(oracle(MP.name, 'src_strategy.ckpt')),
      destinationStrategy: await readStrategyFile(oracle(MP.name, 'dst_strategy.ckpt')),
      options: { format: 'ckpt', crc: false, prefix: 'checkpoint_' }
    })
    // Appears after the destination was checked: the rename of rank 2's finished output then fails.
    const obstacle = join(dst, 'rank_2', 'checkpoint_2.ckpt')
    const block = () => {
      if (existsSync(obstacle)) return
      mkdirSync(obstacle, { recursive: true })
      writeFileSync(join(obstacle, 'x'), 'x')
    }
    await expect(runTransform(plan, { jobs: 1, onProgress: block })).rejects.toThrow(
      `Cannot finish writing ${obstacle}: it is a directory.`
    )
    const manifest = JSON.parse(readFileSync(join(dst, MANIFEST_NAME), 'utf8')) as {
      outputs: Record<string, unknown>
      run: { state: string }
    }
    expect([Object.keys(manifest.outputs).sort(), manifest.run.state]).toEqual([
      ['rank_0/checkpoint_0.ckpt', 'rank_1/checkpoint_1.ckpt'],
      'failed'
    ])
    expect(files(dst)).toEqual(
      [
        'rank_0/checkpoint_0.ckpt',
        'rank_1/checkpoint_1.ckpt',
        'rank_2/checkpoint_2.ckpt/x',
        MANIFEST_NAME
      ].sort()
    )
  })

  it('reads, verifies and resumes a version-1 manifest', async () => {
    const dst = tempDir()
    // Version 1 recorded SHA-256 only, which a run now records when asked.
    expect((await cli(...transformArgs(MP, dst), '--sha256')).code).toBe(0)
    const path = join(dst, MANIFEST_NAME)
    const v2 = JSON.parse(readFileSync(path, 'utf8'))
    const outputs = Object.fromEntries(
      Object.entries(v2.outputs as Record<string, Record<string, unknown>>).map(([name, o]) => [
        name,
        {
          rank: o.rank,
          size: o.size,
          sha256: (o.hashes as { sha256: string }).sha256,
          planHash: 'from an older Shardscope',
          sources: (o.sources as { path: string; size: number; mtimeMs: number }[]).map((s) => ({
            path: s.path,
            size: s.size,
            mtimeMs: s.mtimeMs
          })),
          completedAt: o.completedAt
        }
      ])
    )
    const { strategies, options, sourceFolder, updatedAt } = v2
    writeFileSync(
      path,
      JSON.stringify({
        format: 'shardscope-manifest',
        version: 1,
        sourceFolder,
        strategies,
        options,
        outputs,
        updatedAt
      })
    )
    const verified = await cli('verify', dst)
    expect([verified.code, verified.stdout.trim().split('\n').pop()]).toEqual([0, 'All 4 outputs verified.'])
    const resumed = await cli(...transformArgs(MP, dst))
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(2)
    expect((await cli('verify', dst)).code).toBe(0)
  })
})
