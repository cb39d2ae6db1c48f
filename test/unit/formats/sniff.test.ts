import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sniffPath } from '../../../src-main/engine/formats/sniff'
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
