import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sniffPath } from '../../../src-main/engine/formats/sniff'
import { readStrategyFile } from '../../../src-main/engine/formats/strategy/strategy-file'
import { SafetensorsWriter } from '../../../src-main/engine/formats/safetensors/safetensors-writer'
import { AtomicFileSink } from '../../../src-main/engine/io/byte-sink'
import { oracle, RANK_TABLES, real } from '../../helpers/fixtures'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()

function file(name: string, content: string | Uint8Array): string {
  const path = join(tempDir(), name)
  writeFileSync(path, content)
  return path
}

describe('sniffPath tells formats apart by content, never by name', () => {
  it.each([
    [real('mindformers__strategy_4_npus.ckpt'), { kind: 'strategy', form: 'protobuf' }],
    [real('mindformers__golden_router.ckpt'), { kind: 'checkpoint', format: 'ckpt' }],
    [oracle('dp8_to_mp4', 'src'), { kind: 'checkpoint-folder' }],
    [oracle('pipeline2_to_mp4', 'src_strategy_stages'), { kind: 'strategy-folder' }],
    [join(RANK_TABLES, 'docs__rank_table_8pcs.json'), { kind: 'rank-table' }]
  ])('%s', async (path, kind) => {
    expect(await sniffPath(path)).toEqual(kind)
  })

  it('recognises strategy JSON in MindSpore’s forms and hand-written ones, whatever the file is called', async () => {
    expect(await sniffPath(file('a.ckpt', '{"current_stage":1,"parallel_layout_item":{}}'))).toEqual({
      kind: 'strategy',
      form: 'json'
    })
    expect(await sniffPath(file('b.txt', '{"current_stage": 1, "parallel_strategy_item": {}}'))).toEqual({
      kind: 'strategy',
      form: 'json'
    })
    expect(await sniffPath(file('c', '\n  {"parallel_layout_item": {"w": {}}}'))).toEqual({
      kind: 'strategy',
      form: 'json'
    })
  })

  it('does not mistake JSON that merely mentions a strategy key for a strategy', async () => {
    await expect(
      sniffPath(file('cases.json', '{"cases": [{"parallel_layout_item": []}]}'))
    ).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      message: expect.stringContaining(
        'is JSON but neither a strategy file (no parallel_layout_item) nor a rank table'
      )
    })
  })

  it('says what it could not recognise', async () => {
    await expect(sniffPath(file('x.bin', Buffer.from([0x50, 0x4b, 3, 4])))).rejects.toMatchObject({
      message: expect.stringContaining(
        'is not a MindSpore strategy, checkpoint, safetensors file or rank table (it starts with bytes 50 4b 03 04)'
      )
    })
    await expect(sniffPath(file('broken.json', '{"current'))).rejects.toMatchObject({
      message: expect.stringContaining('starts like JSON but is not valid JSON')
    })
    const empty = tempDir()
    mkdirSync(join(empty, 'notes'))
    await expect(sniffPath(empty)).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})

describe('safetensors whose header length starts with a strategy or checkpoint byte', () => {
  async function safetensorsWithName(name: string): Promise<string> {
    const path = join(tempDir(), 'model.safetensors')
    const spec = [{ name, dtype: 'Float32', shape: [1], byteLength: 4 }]
    const writer = await SafetensorsWriter.create(await AtomicFileSink.create(path), spec)
    await writer.writeTensor(name, new Uint8Array(4))
    await writer.finish()
    return path
  }

  it('a 173-character tensor name gives a 264-byte header (0x08 first) and is still safetensors', async () => {
    const path = await safetensorsWithName('w'.repeat(173))
    expect(readFileSync(path)[0]).toBe(0x08)
    expect(await sniffPath(path)).toEqual({ kind: 'checkpoint', format: 'safetensors' })
    await expect(readStrategyFile(path)).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      message: `${path} is a safetensors checkpoint, not a strategy file; give it as a checkpoint and the strategy separately.`
    })
  })

  it('names of 1 to 300 characters, whatever header length they give, are all sniffed as safetensors', async () => {
    const firstBytes = new Set<number>()
    for (let length = 1; length <= 300; length += 1) {
      const path = await safetensorsWithName('p'.repeat(length))
      firstBytes.add(readFileSync(path)[0]!)
      expect(await sniffPath(path)).toEqual({ kind: 'checkpoint', format: 'safetensors' })
    }
    // The writer pads headers to multiples of 8, so prefixes start 0x08, 0x10 … 0xf8, 0x00: 0x08 among them.
    expect(firstBytes.has(0x08)).toBe(true)
  })
})
