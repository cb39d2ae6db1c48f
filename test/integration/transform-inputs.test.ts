import { cpSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WorkerPool } from '../../src-main/engine/exec/worker-pool'
import { CkptWriter } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import { readAllTensors } from '../helpers/ckpt'
import { cli } from '../helpers/cli'
import { oracle } from '../helpers/fixtures'
import { ORACLE_CASES, strategyFlags } from '../helpers/oracle-cases'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const MP = ORACLE_CASES.find((c) => c.name === 'mp2x4_to_mp4')!

describe('a destination rank that does not exist is refused by every command that takes one', () => {
  it('ranks --dst-rank names the destination rank count', async () => {
    const result = await cli('ranks', '--dst-rank', '5', ...strategyFlags(MP))
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      'shardscope ranks: Destination rank 5 does not exist: the destination has 4 ranks, 0 to 3.\n'
    ])
    const merge = await cli(
      'ranks',
      '--dst-rank',
      '1',
      '--src-strategy',
      oracle(MP.name, 'src_strategy.ckpt')
    )
    expect(merge.stderr).toBe(
      'shardscope ranks: Destination rank 1 does not exist: the destination has 1 rank, 0.\n'
    )
    expect((await cli('ranks', '--dst-rank', '3', ...strategyFlags(MP))).stdout).toBe('[3,7]\n')
  })

  it('plan --rank and transform --rank', async () => {
    for (const command of ['plan', 'transform']) {
      const result = await cli(
        command,
        '--src',
        oracle(MP.name, 'src'),
        '--dst',
        tempDir(),
        ...strategyFlags(MP),
        '--rank',
        '4'
      )
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(
        'error: Destination rank 4 does not exist: the destination has 4 ranks, 0 to 3.'
      )
    }
  })
})

describe('--exclude', () => {
  it('also removes the problems of the parameters it excludes', async () => {
    // Rank 6 lacks an optimizer state the other ranks hold: an error, unless that state is excluded.
    const src = join(tempDir(), 'src')
    cpSync(oracle(MP.name, 'src'), src, { recursive: true })
    const path = join(src, 'rank_6', 'checkpoint_6.ckpt')
    const tensors = await readAllTensors(path)
    const writer = new CkptWriter(await AtomicFileSink.create(path))
    for (const t of tensors.filter((t) => !t.name.startsWith('adam_m.')))
      await writer.writeTensor(t.name, t.storedDtype, t.dims, t.data)
    await writer.finish()
    const args = ['transform', '--src', src, ...strategyFlags(MP)]
    const blocked = await cli(...args, '--dst', tempDir())
    expect(blocked.code).toBe(2)
    expect(blocked.stderr).toContain('lacks parameter adam_m.layer0.mlp.mapping.weight')
    const excluded = await cli(...args, '--dst', tempDir(), '--exclude', '^adam_m\\.')
    expect(excluded.code, excluded.stderr).toBe(0)
    expect(excluded.stderr).not.toContain('adam_m')
  })

  const CATASTROPHIC = '^([a-z_0-9.]+)+X$'

  it('with catastrophic backtracking is stopped with a sentence that names it', async () => {
    const result = await cli(
      'plan',
      '--src',
      oracle(MP.name, 'src'),
      ...strategyFlags(MP),
      '--exclude',
      CATASTROPHIC
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      `shardscope plan: --exclude "${CATASTROPHIC}" takes longer than 2 s to match 9 parameter names`
    )
  })

  it('does not wedge the planner worker the app uses: the next plan on the same worker works', async () => {
    const pool = new WorkerPool(1)
    try {
      const job = (exclude?: string) => ({
        type: 'plan' as const,
        rank: -1,
        job: {
          sourceFolder: oracle(MP.name, 'src'),
          destinationFolder: join(tempDir(), 'out'),
          sourceStrategy: oracle(MP.name, 'src_strategy.ckpt'),
          destinationStrategy: oracle(MP.name, 'dst_strategy.ckpt'),
          options: {
            format: 'ckpt' as const,
            crc: false,
            prefix: 'checkpoint_',
            ...(exclude ? { exclude } : {})
          }
        }
      })
      const wedged = await pool.run(job(CATASTROPHIC))
      expect(wedged).toMatchObject({
        type: 'failed',
        error: { code: 'BAD_INPUT', message: expect.stringContaining(CATASTROPHIC) }
      })
      const next = await pool.run(job('^adam_m\\.'))
      expect(next.type).toBe('planned')
    } finally {
      await pool.close()
    }
  })
})

describe('a folder with rank_0/ and rank_99999999/', () => {
  it('is planned at once, the gap reported as a range', async () => {
    const src = tempDir()
    for (const r of [0, 99999999])
      cpSync(oracle('full_to_mp2x4', 'src', 'rank_0'), join(src, `rank_${r}`), { recursive: true })
    const result = await cli('plan', '--src', src)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('warning: Missing ranks: 1–99999998.')
  })
})

describe('symbolically linked rank folders and rank files', () => {
  it('are followed for reading, and the plan reports their real paths', async () => {
    // Two "mounts" holding ranks 0-3 and 4-7, linked into one folder; rank 5's file is itself a link.
    const mounts = [tempDir(), tempDir()]
    const src = tempDir()
    for (let r = 0; r < 8; r++) {
      const mount = mounts[r < 4 ? 0 : 1]!
      if (r === 5) {
        mkdirSync(join(src, 'rank_5'))
        cpSync(oracle(MP.name, 'src', 'rank_5', 'checkpoint_5.ckpt'), join(mount, 'stored_5.ckpt'))
        symlinkSync(join(mount, 'stored_5.ckpt'), join(src, 'rank_5', 'checkpoint_5.ckpt'))
        continue
      }
      cpSync(oracle(MP.name, 'src', `rank_${r}`), join(mount, `rank_${r}`), { recursive: true })
      symlinkSync(join(mount, `rank_${r}`), join(src, `rank_${r}`))
    }
    const planned = JSON.parse((await cli('plan', '--src', src, ...strategyFlags(MP), '--json')).stdout)
    expect(planned.ranks[1].sourceFiles).toEqual([
      {
        rank: 1,
        path: join(src, 'rank_1', 'checkpoint_1.ckpt'),
        realPath: join(realpathSync(mounts[0]!), 'rank_1', 'checkpoint_1.ckpt'),
        crc: 'none'
      },
      {
        rank: 5,
        path: join(src, 'rank_5', 'checkpoint_5.ckpt'),
        realPath: join(realpathSync(mounts[1]!), 'stored_5.ckpt'),
        crc: 'none'
      }
    ])
    const out = tempDir()
    const result = await cli('transform', '--src', src, '--dst', out, ...strategyFlags(MP))
    expect(result.code, result.stderr).toBe(0)
    for (const [rank, expected] of Object.entries(MP.expected_checkpoints))
      expect(
        readFileSync(join(out, `rank_${rank}`, `checkpoint_${rank}.ckpt`)).equals(
          readFileSync(oracle(expected))
        )
      ).toBe(true)
  })
})
