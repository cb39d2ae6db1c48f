import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkDraft,
  EMPTY_DRAFT,
  parseRanks,
  planRequestOf,
  shellCommand,
  transformArgs,
  type PlanRequestDraft
} from '../../../src-renderer/store/plan-request'
import { cli } from '../../helpers/cli'
import { oracle } from '../../helpers/fixtures'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

const base = (): PlanRequestDraft => ({
  ...EMPTY_DRAFT,
  sourceFolder: oracle('mp2x4_to_mp4', 'src'),
  sourceStrategy: oracle('mp2x4_to_mp4', 'src_strategy.ckpt'),
  destinationStrategy: oracle('mp2x4_to_mp4', 'dst_strategy.ckpt'),
  destinationFolder: join(tempDir(), 'out')
})

describe('the planner form, checked as the CLI checks it', () => {
  // Each draft the form refuses is refused by `shardscope transform` given the same options, and vice versa.
  const cases: [string, Partial<PlanRequestDraft>, string | undefined][] = [
    ['a prefix with a slash', { prefix: 'a/b' }, 'prefix'],
    ['a CRC trailer on safetensors', { format: 'safetensors', crc: true }, 'crc'],
    ['a hex key of the wrong length', { decKeyKind: 'hex', decKey: 'abcd' }, 'decKey'],
    ['a key that is not hex', { decKeyKind: 'hex', decKey: 'zz'.repeat(16) }, 'decKey'],
    ['an exclude that is not a regular expression', { exclude: '(' }, 'exclude'],
    [
      'everything well-formed',
      {
        prefix: 'model_',
        ranks: '0-1',
        jobs: '2',
        dtype: 'float16',
        crc: true,
        verifyCrc: true,
        sha256: true
      },
      undefined
    ]
  ]
  for (const [what, change, field] of cases) {
    it(`${field ? 'refuses' : 'accepts'} ${what}, as the CLI does`, async () => {
      const draft = { ...base(), ...change }
      const problems = checkDraft(draft)
      if (field) expect(Object.keys(problems)).toEqual([field])
      else expect(problems).toEqual({})
      const args = transformArgs(field === 'exclude' || !field ? draft : { ...draft, exclude: undefined })
      const result = await cli(...args)
      expect(result.code, result.stderr).toBe(field ? 2 : 0)
    })
  }

  it('refuses what only the form can see: relative paths, bad rank lists and job counts', () => {
    expect(Object.keys(checkDraft({ ...base(), sourceFolder: 'relative/src' }))).toEqual(['sourceFolder'])
    expect(Object.keys(checkDraft({ ...base(), jobs: '0' }))).toEqual(['jobs'])
    expect(Object.keys(checkDraft({ ...base(), decKeyKind: 'file', decKey: 'key.bin' }))).toEqual(['decKey'])
    expect(parseRanks('0-3, 6')).toEqual([0, 1, 2, 3, 6])
    expect(parseRanks('1, 1')).toBe('Rank 1 is given more than once.')
    expect(parseRanks('x')).toMatch(/not a rank/)
  })

  it('builds the request and the command line from the same draft', () => {
    const draft = {
      ...base(),
      destinationFolder: "/tmp/it's here",
      ranks: '2',
      decKeyKind: 'file' as const,
      decKey: '/k.bin'
    }
    expect(planRequestOf(draft).options).toEqual({
      format: 'ckpt',
      ranks: [2],
      decryption: { key: '@/k.bin' }
    })
    expect(shellCommand(transformArgs(draft))).toContain(`--dst '/tmp/it'\\''s here'`)
    expect(shellCommand(transformArgs(draft))).toContain('--rank 2 --dec-key @/k.bin')
  })
})
