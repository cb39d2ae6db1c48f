import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  depthExceededAt,
  MAX_JSON_DEPTH,
  objectMembersInTextOrder
} from '../../../src-main/engine/formats/json-text'
import { parseRankTable } from '../../../src-main/engine/formats/rank-table/rank-table'
import { indexSafetensors } from '../../../src-main/engine/formats/safetensors/safetensors-index'
import { sniffPath } from '../../../src-main/engine/formats/sniff'
import { parseStrategyJson } from '../../../src-main/engine/formats/strategy/strategy-json'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const LEVELS = 200_000
const deepArray = '['.repeat(LEVELS) + ']'.repeat(LEVELS)
const deepObject = '{"a":'.repeat(LEVELS) + '1' + '}'.repeat(LEVELS)

function safetensorsBytes(header: string): Uint8Array {
  const json = new TextEncoder().encode(header)
  const out = new Uint8Array(8 + json.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(json, 8)
  return out
}

describe('JSON nested 200 000 levels deep is refused cleanly, before anything recurses over it', () => {
  const refusal = (file: string) =>
    expect.objectContaining({
      message: expect.stringMatching(
        new RegExp(`^${file.replace(/[.]/g, '\\.')} nests JSON more than 64 levels deep \\(at offset \\d+\\)`)
      )
    })

  it.each([
    ['a deep dev_matrix', `{"parallel_layout_item":{"w":{"dev_matrix":${deepArray},"tensor_map":[0]}}}`],
    ['a deep unknown key', `{"current_stage":1,"x":${deepObject},"parallel_layout_item":{}}`]
  ])('strategy JSON with %s', (_what, text) => {
    expect(() => parseStrategyJson(text, 's.json')).toThrowError(refusal('s.json'))
  })

  it('a rank table', () => {
    expect(() => parseRankTable(`{"server_list":${deepArray}}`, 'rt.json')).toThrowError(refusal('rt.json'))
  })

  it('a safetensors header', async () => {
    const source = new MemorySource('m.safetensors', safetensorsBytes(`{"__metadata__":${deepObject}}`))
    await expect(indexSafetensors(source)).rejects.toThrowError(refusal('m.safetensors'))
  })

  it('JSON of unknown kind given to inspect', async () => {
    const path = join(tempDir(), 'deep.json')
    writeFileSync(path, `{"cases":${deepArray}}`)
    await expect(sniffPath(path)).rejects.toThrowError(refusal(path))
  })

  it('counts only brackets outside strings, and accepts the limit itself', () => {
    expect(depthExceededAt('["[[[[[[[[[[[[[["]', 1)).toBeUndefined()
    expect(depthExceededAt('["\\"[[", [[]]]', 2)).toBe(10)
    const atLimit = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)
    expect(depthExceededAt(atLimit, MAX_JSON_DEPTH)).toBeUndefined()
    expect(depthExceededAt('[' + atLimit + ']', MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH)
  })
})

describe('objectMembersInTextOrder', () => {
  const text = '{"b": [1, {"x": 2}], "a": {"7": 1, "k": {"z": [3]}, "7": "s\\"}"}, "10": null, "a": 5 }'

  it('lists the root members in text order, repeats included, with their value text', () => {
    const members = objectMembersInTextOrder(text)
    expect(members.map((m) => [m.key, text.slice(m.valueStart, m.valueEnd)])).toEqual([
      ['b', '[1, {"x": 2}]'],
      ['a', '{"7": 1, "k": {"z": [3]}, "7": "s\\"}"}'],
      ['10', 'null'],
      ['a', '5']
    ])
  })

  it('lists the members of a nested object reached by a key path', () => {
    const members = objectMembersInTextOrder(text, ['a'])
    expect(members.map((m) => [m.key, text.slice(m.valueStart, m.valueEnd)])).toEqual([
      ['7', '1'],
      ['k', '{"z": [3]}'],
      ['7', '"s\\"}"']
    ])
    expect(objectMembersInTextOrder(text, ['a', 'k']).map((m) => m.key)).toEqual(['z'])
    expect(objectMembersInTextOrder(text, ['b'])).toEqual([])
    expect(objectMembersInTextOrder('{}', [])).toEqual([])
  })
})
