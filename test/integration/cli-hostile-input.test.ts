import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { recordHeader } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { readStrategyFile, writeStrategyFile } from '../../src-main/engine/formats/strategy/strategy-file'
import { cli, cliJson } from '../helpers/cli'
import { oracle } from '../helpers/fixtures'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const ESC = '\u001b'
const HOSTILE = `evil${ESC}]0;pwned\u0007${ESC}[2J\r\nfake line\u202e`

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(tempDir(), name)
  writeFileSync(path, bytes)
  return path
}

const checkpoint = (name: string, dims: number[], payload: number) =>
  Buffer.concat([recordHeader(name, 'Float32', dims, payload), new Uint8Array(payload)])

describe('names that would drive a terminal are printed escaped; JSON stays exact', () => {
  it('inspect prints a tensor name with escape sequences, bidi override and line breaks as escapes', async () => {
    const path = file('hostile.ckpt', checkpoint(HOSTILE, [1], 4))
    const text = await cli('inspect', path)
    expect(text.code).toBe(0)
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/)
    expect(text.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x0afake line\\u202e  Float32  [1]')
    // One table row: the name's line break did not split it.
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(5)
    const doc = await cliJson<{ params: { name: string }[] }>('inspect', path)
    expect(doc.params[0]!.name).toBe(HOSTILE)
  })

  it('an error quoting a hostile name and path stays one escaped line', async () => {
    const dir = join(tempDir(), `dir${ESC}[31m`)
    const { mkdirSync } = await import('node:fs')
    mkdirSync(dir)
    const path = join(dir, 'short.ckpt')
    writeFileSync(path, checkpoint(HOSTILE, [3], 4))
    const result = await cli('inspect', path)
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain(ESC)
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(`dir\\x1b[31m/short.ckpt: parameter evil\\x1b]0;pwned`)
    expect(result.stderr).toContain('has 4 payload bytes, but its dims [3] call for 12 bytes')
  })

  it('plan prints problems quoting a hostile name escaped, and its --json escapes what JSON.stringify leaves raw', async () => {
    const src = join(tempDir(), 'src')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(src, 'rank_0'), { recursive: true })
    writeFileSync(join(src, 'rank_0', 'checkpoint_0.ckpt'), checkpoint(HOSTILE, [1], 4))
    // The destination strategy does not list the name, so the plan notes that it is copied whole.
    const args = ['plan', '--src', src, '--dst', join(tempDir(), 'out')]
    args.push('--dst-strategy', oracle('mp2x4_to_mp4/dst_strategy.ckpt'))
    const text = await cli(...args)
    expect(text.code).toBe(0)
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/)
    expect(text.stderr).toContain('note: evil\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x0afake line\\u202e')
    const json = await cli(...args, '--json')
    expect(json.stdout).not.toContain('\u202e')
    expect(json.stdout).toContain('fake line\\u202e')
    const doc = JSON.parse(json.stdout) as { problems: { message: string }[] }
    expect(doc.problems.map((p) => p.message).join()).toContain(HOSTILE)
  })

  it('a hostile command name is escaped too', async () => {
    const result = await cli(`x${ESC}[2J`)
    expect(result.stderr.split('\n')[0]).toBe('shardscope: unknown command "x\\x1b[2J".')
  })
})

describe('a strategy whose opt_weight_shard_step contradicts its layout is refused, not converted', () => {
  it('transform stops before writing, naming the parameter, the layout and the step it must be', async () => {
    // MindSpore's optshard_to_noopt source strategy with one step changed from 4 (right) to 1.
    const set = await readStrategyFile(oracle('optshard_to_noopt/src_strategy.ckpt'))
    const broken = set.layouts.find(
      (l) => l.devMatrix.join() === '2,4' && l.tensorMap.join() === '-1,0' && l.optShardStep === 4
    )!
    broken.optShardStep = 1
    const strategy = join(tempDir(), 'src_strategy.ckpt')
    await writeStrategyFile(set, strategy)
    const out = join(tempDir(), 'out')
    const result = await cli(
      'transform',
      '--src',
      oracle('optshard_to_noopt/src'),
      '--dst',
      out,
      '--src-strategy',
      strategy,
      '--dst-strategy',
      oracle('optshard_to_noopt/dst_strategy.ckpt')
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      `parameter ${broken.name} has layout device matrix [2, 4], tensor map [-1, 0]: its opt_weight_shard_step 1 contradicts it.`
    )
    expect(result.stderr).toContain('the step must be 4')
    expect(existsSync(out) ? readdirSync(out).filter((n) => n.startsWith('rank_')) : []).toEqual([])
    const ranks = await cli('ranks', '--src-strategy', strategy, '--dst-rank', '0')
    expect([ranks.code, ranks.stderr]).toEqual([2, expect.stringContaining('the step must be 4')])
  })
})

describe('huge numbers in strategies: ranks and plan answer with a sentence, not a crash', () => {
  const strategyJson = (dev: string, name = 'w') =>
    `{"current_stage":1,"parallel_layout_item":{"${name}":{"dev_matrix":${dev},"tensor_map":[0]}},"parallel_strategy_item":{}}`

  it.each([
    ['[65536,65536]', 'w', 'device matrix [65536, 65536], which makes 4294967296 devices'],
    ['[4294967295]', 'w', 'device matrix [4294967295], which makes 4294967295 devices'],
    ['[1e300]', 'w', 'device matrix [1e+300], which holds 1e+300, not a size'],
    ['[2]', '4294967295-w', 'parameter w is in pipeline stage 4294967295']
  ])('dev_matrix %s, name %s', async (dev, name, message) => {
    const path = file('huge.json', strategyJson(dev, name))
    for (const args of [
      ['ranks', '--src-strategy', path],
      ['ranks', '--dst-strategy', path],
      ['plan', '--src', oracle('dp8_to_mp4/src'), '--dst-strategy', path]
    ]) {
      const result = await cli(...args)
      expect([result.code, result.stdout]).toEqual([2, ''])
      expect(result.stderr).toContain(
        `${path}: ${message.startsWith('parameter') ? '' : 'parameter w (pipeline stage 0) has '}${message}`
      )
    }
  })
})
