import { createHash } from 'node:crypto'
import { openSync, readFileSync, readSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MANIFEST_NAME } from '../../src-main/engine/exec/manifest'
import { createFastHasher } from '../../src-main/engine/io/fast-hash'
import { cli, cliJson } from '../helpers/cli'
import { ORACLE_CASES, transformArgs } from '../helpers/oracle-cases'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const MP = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!

type Entry = { rank: number; size: number; hashes: Record<string, string> }
const manifestOf = (dst: string) =>
  JSON.parse(readFileSync(join(dst, MANIFEST_NAME), 'utf8')) as { outputs: Record<string, Entry> }

/** Flips every bit of one byte in the middle of a file. */
function flipOneByte(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    const at = Math.floor(readFileSync(path).length / 2)
    const byte = Buffer.alloc(1)
    readSync(fd, byte, 0, 1, at)
    byte[0] = byte[0]! ^ 0xff
    writeSync(fd, byte, 0, 1, at)
  } finally {
    closeSync(fd)
  }
}

describe('output hashes in the manifest', () => {
  it('records XXH3-128 of every output by default, as xxhsum -H2 prints it, and no SHA-256', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(MP, dst))).code).toBe(0)
    const outputs = Object.entries(manifestOf(dst).outputs)
    expect(outputs).toHaveLength(4)
    for (const [name, entry] of outputs) {
      const bytes = readFileSync(join(dst, name))
      expect(entry.hashes).toEqual({ xxh3_128: createFastHasher().update(bytes).digestHex() })
    }
  })

  it('a single changed byte fails verify (exit 1), naming the output', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(MP, dst))).code).toBe(0)
    expect((await cli('verify', dst)).code).toBe(0)
    flipOneByte(join(dst, 'rank_2/checkpoint_2.ckpt'))
    const result = await cli('verify', dst)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/CHECKSUM MISMATCH\s+rank_2\/checkpoint_2\.ckpt/)
    const json = await cli('verify', dst, '--json')
    const checked = JSON.parse(json.stdout) as {
      outputs: { output: string; status: string; checked: string[] }[]
    }
    expect(checked.outputs.find((o) => o.output === 'rank_2/checkpoint_2.ckpt')).toMatchObject({
      status: 'checksum-mismatch',
      checked: ['xxh3_128']
    })
    // A re-run does not trust the damaged output: it rewrites it, and the folder verifies again.
    const rerun = await cliJson<{ outputs: { output: string; skipped: boolean }[] }>(
      ...transformArgs(MP, dst)
    )
    expect(rerun.outputs.filter((o) => !o.skipped).map((o) => o.output)).toEqual(['rank_2/checkpoint_2.ckpt'])
    expect((await cli('verify', dst)).code).toBe(0)
  })

  it('--sha256 records SHA-256 as well, and verify checks both', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(MP, dst), '--sha256')).code).toBe(0)
    for (const [name, entry] of Object.entries(manifestOf(dst).outputs)) {
      const bytes = readFileSync(join(dst, name))
      expect(entry.hashes).toEqual({
        xxh3_128: createFastHasher().update(bytes).digestHex(),
        sha256: createHash('sha256').update(bytes).digest('hex')
      })
    }
    const json = JSON.parse((await cli('verify', dst, '--json')).stdout) as {
      verified: boolean
      outputs: { checked: string[] }[]
    }
    expect(json.verified).toBe(true)
    expect(json.outputs.map((o) => [...o.checked].sort())).toEqual(
      Array.from({ length: 4 }, () => ['sha256', 'xxh3_128'])
    )
  })

  it('a manifest recording SHA-256 only (before the fast hash) still verifies, fails on a changed byte, and resumes', async () => {
    const dst = tempDir()
    expect((await cli(...transformArgs(MP, dst), '--sha256')).code).toBe(0)
    const path = join(dst, MANIFEST_NAME)
    const manifest = manifestOf(dst)
    for (const entry of Object.values(manifest.outputs)) delete entry.hashes.xxh3_128
    writeFileSync(path, JSON.stringify(manifest))
    const verified = JSON.parse((await cli('verify', dst, '--json')).stdout) as {
      verified: boolean
      outputs: { checked: string[] }[]
    }
    expect(verified.verified).toBe(true)
    expect(verified.outputs.map((o) => o.checked)).toEqual(Array.from({ length: 4 }, () => ['sha256']))
    // Resuming checks the SHA-256 it finds and adds the fast hash, so the entries end up with both.
    const resumed = await cliJson<{ outputs: { skipped: boolean }[] }>(...transformArgs(MP, dst))
    expect(resumed.outputs.every((o) => o.skipped)).toBe(true)
    for (const [name, entry] of Object.entries(manifestOf(dst).outputs))
      expect(entry.hashes.xxh3_128).toBe(
        createFastHasher()
          .update(readFileSync(join(dst, name)))
          .digestHex()
      )
    for (const entry of Object.values(manifest.outputs)) delete entry.hashes.xxh3_128
    writeFileSync(path, JSON.stringify(manifest))
    flipOneByte(join(dst, 'rank_0/checkpoint_0.ckpt'))
    const damaged = await cli('verify', dst)
    expect(damaged.code).toBe(1)
    expect(damaged.stdout).toMatch(/CHECKSUM MISMATCH\s+rank_0\/checkpoint_0\.ckpt/)
  })
})
