import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CkptWriter, recordHeader } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { EncryptingSink } from '../../src-main/engine/formats/ckpt/ckpt-encrypt'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import { readAllTensors } from '../helpers/ckpt'
import { cli, cliJson, cliProcess } from '../helpers/cli'
import { real } from '../helpers/fixtures'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const router = () => readFileSync(real('mindformers__golden_router.ckpt'))

function file(name: string, bytes: Uint8Array | string): string {
  const dir = tempDir()
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

async function withCrc(path: string, out: string): Promise<void> {
  const writer = new CkptWriter(await AtomicFileSink.create(out), { crc: true })
  for (const t of await readAllTensors(path)) await writer.writeTensor(t.name, t.storedDtype, t.dims, t.data)
  await writer.finish()
}

/** One line on stderr that starts with the command and names the file; exit code 2; nothing on stdout. */
async function expectBadInput(path: string, pattern: RegExp, ...flags: string[]) {
  const result = await cli('inspect', path, ...flags)
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(result.stderr).toContain(path)
  expect(result.stderr).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

describe('inspect on bad input: one sentence, exit code 2, no stack trace', () => {
  it('empty file', () => expectBadInput(file('empty.ckpt', ''), /is empty \(0 bytes\)/))

  it('truncated record', () =>
    expectBadInput(
      file('cut.ckpt', router().subarray(0, 150)),
      /is truncated: the record of parameter gating\.weight/
    ))

  it('garbage bytes', () =>
    expectBadInput(
      file('junk.ckpt', Buffer.concat([router(), Buffer.from('garbage!')])),
      /not a valid MindSpore checkpoint/
    ))

  it('wrong magic', () =>
    expectBadInput(
      file('model.ckpt', Buffer.from('PK\x03\x04zipzipzip')),
      /is not a MindSpore strategy, checkpoint/
    ))

  it('CRC mismatch', async () => {
    const dir = tempDir()
    const good = join(dir, 'good.ckpt')
    await withCrc(real('mindformers__golden_router.ckpt'), good)
    const bytes = readFileSync(good)
    bytes[120] = bytes[120]! ^ 1
    const bad = join(dir, 'bad.ckpt')
    writeFileSync(bad, bytes)
    expect((await cli('inspect', good, '--verify-crc')).code).toBe(0)
    await expectBadInput(bad, /failed its CRC-32 check/, '--verify-crc')
  })

  it('unknown dtype', () => {
    const bytes = Buffer.concat([recordHeader('w', 'Float128', [1], 16), new Uint8Array(16)])
    return expectBadInput(file('odd.ckpt', bytes), /parameter w has an unknown tensor type "Float128"/)
  })

  it('dims that overflow', () => {
    const bytes = Buffer.concat([
      recordHeader('w', 'Float32', [2 ** 30, 2 ** 30, 2 ** 30], 4),
      new Uint8Array(4)
    ])
    return expectBadInput(
      file('overflow.ckpt', bytes),
      /parameter w has dims \[1073741824, 1073741824, 1073741824\] whose size overflows/
    )
  })

  it('payload length that disagrees with dims × dtype', () => {
    const bytes = Buffer.concat([recordHeader('w', 'Int32', [3], 8), new Uint8Array(8)])
    return expectBadInput(
      file('short.ckpt', bytes),
      /parameter w has 8 payload bytes, but its dims \[3\] call for 12 bytes/
    )
  })

  it('a folder with no rank_N', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'checkpoints'))
    return expectBadInput(dir, /holds no rank_N folders and no strategy files/)
  })

  it('a folder of loose checkpoints without rank_N', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'a.ckpt'), router())
    return expectBadInput(dir, /holds files like a\.ckpt but no rank_N folders/)
  })

  it('a JSON strategy with wrong types', () =>
    expectBadInput(
      file(
        'strategy.json',
        '{"current_stage":1,"parallel_layout_item":{"fc.weight":{"dev_matrix":[2,"4"],"tensor_map":[1,-1]}}}'
      ),
      /parameter fc\.weight: dev_matrix must be a list of integers, got \[2,"4"\]/
    ))

  it('an encrypted checkpoint without its key, with a wrong key, and with the right one', async () => {
    const dir = tempDir()
    const path = join(dir, 'secret.ckpt')
    const key = '00112233445566778899aabbccddeeff'
    const writer = new CkptWriter(
      new EncryptingSink(await AtomicFileSink.create(path), Buffer.from(key, 'hex'), 'AES-GCM')
    )
    for (const t of await readAllTensors(real('mindformers__golden_router.ckpt')))
      await writer.writeTensor(t.name, t.storedDtype, t.dims, t.data)
    await writer.finish()
    await expectBadInput(path, /is an encrypted checkpoint \(AES-GCM\); give its key/)
    await expectBadInput(path, /could not be decrypted with the given key/, '--dec-key', 'ff'.repeat(16))
    const doc = await cliJson<{ params: unknown[] }>('inspect', path, '--dec-key', key)
    expect(doc.params).toEqual([{ name: 'gating.weight', dtype: 'Float32', shape: [4, 16], bytes: 256 }])
  })

  it('a missing path', async () => {
    const result = await cli('inspect', '/nonexistent/strategy.ckpt')
    expect([result.code, result.stderr.trim()]).toEqual([
      2,
      'shardscope inspect: Cannot open /nonexistent/strategy.ckpt: it does not exist.'
    ])
  })

  it('wrong usage', async () => {
    expect((await cli('inspect')).code).toBe(2)
    // The command is named once, by the prefix every CLI error carries.
    expect((await cli('inspect', 'a', '--frobnicate')).stderr).toBe(
      `shardscope inspect: Unknown option '--frobnicate'. Run "shardscope inspect --help" for usage.\n`
    )
    expect((await cli('transmogrify')).code).toBe(2)
  })
})

describe('the real process', () => {
  it('exits 2 with one line and no stack trace on bad input', () => {
    const result = cliProcess('inspect', file('cut.ckpt', router().subarray(0, 150)))
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^shardscope inspect: .*cut\.ckpt is truncated/)
  })

  it('prints JSON and exits 0 on a good file', () => {
    const result = cliProcess('inspect', real('mindscience__spectralconv1d.ckpt'), '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      kind: 'checkpoint',
      params: [
        { name: '_w_re', dtype: 'Float32', shape: [2, 2, 2], bytes: 32 },
        { name: '_w_im', dtype: 'Float32', shape: [2, 2, 2], bytes: 32 }
      ]
    })
  })
})
