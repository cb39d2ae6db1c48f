import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { ORACLE } from '../helpers/fixtures'
import { ORACLE_CASES, transformArgs } from '../helpers/oracle-cases'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()

/**
 * Tensors copied unchanged go through copy_file_range from 4 MiB on; the fixtures' tensors are smaller, so the
 * threshold is lowered to send every whole-tensor copy through the kernel (or its buffered fallback without the
 * addon). The outputs must still be MindSpore's bytes, and the manifest's digests must still verify.
 */
describe('.ckpt outputs with whole tensors copied in the kernel', () => {
  let saved: string | undefined
  beforeAll(() => {
    saved = process.env.SHARDSCOPE_KERNEL_COPY_MIN_BYTES
    process.env.SHARDSCOPE_KERNEL_COPY_MIN_BYTES = '0'
  })
  afterAll(() => {
    if (saved === undefined) delete process.env.SHARDSCOPE_KERNEL_COPY_MIN_BYTES
    else process.env.SHARDSCOPE_KERNEL_COPY_MIN_BYTES = saved
  })

  it.each(ORACLE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const out = tempDir()
    const result = await cli(...transformArgs(c, out), '--jobs', '2')
    expect(result.code, result.stderr).toBe(0)
    const differing = Object.keys(c.expected_checkpoints).filter(
      (rank) =>
        !readFileSync(join(out, `rank_${rank}`, `checkpoint_${rank}.ckpt`)).equals(
          readFileSync(join(ORACLE, c.expected_checkpoints[rank]!))
        )
    )
    expect(differing).toEqual([])
    const verified = await cli('verify', out)
    expect(verified.code, verified.stderr + verified.stdout).toBe(0)
  })
})
