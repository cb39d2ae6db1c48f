import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  JSON_LIMITS,
  jsonBeyondLimits,
  objectMembersInTextOrder
} from '../../../src-main/engine/formats/json-text'
import { parseRankTable } from '../../../src-main/engine/formats/rank-table/rank-table'
import { indexSafetensors } from '../../../src-main/engine/formats/safetensors/safetensors-index'
import { sniffPath } from '../../../src-main/engine/formats/sniff'
import { parseStrategyJson } from '../../../src-main/engine/formats/strategy/strategy-json'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { safetensorsBytes } from '../../helpers/hostile-corpus'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const LEVELS = 200_000
const deepArray = '['.repeat(LEVELS) + ']'.repeat(LEVELS)
const deepObject = '{"a":'.repeat(LEVELS) + '1' + '}'.repeat(LEVELS)

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
    const depth = (text: string, limit: number) => jsonBeyondLimits(text, { depth: limit, values: 1e9 })
    expect(depth('["[[[[[[[[[[[[[["]', 1)).toBeUndefined()
    expect(depth('["\\"[[", [[]]]', 2)).toEqual({ limit: 'depth', offset: 10 })
    const atLimit = '['.repeat(JSON_LIMITS.depth) + ']'.repeat(JSON_LIMITS.depth)
    expect(jsonBeyondLimits(atLimit, JSON_LIMITS)).toBeUndefined()
    expect(jsonBeyondLimits('[' + atLimit + ']', JSON_LIMITS)).toEqual({ limit: 'depth', offset: 64 })
  })
})

describe('JSON with more values than any strategy holds is refused before JSON.parse builds them', () => {
  it('counts containers and separators outside strings', () => {
    const values = (text: string, limit: number) => jsonBeyondLimits(text, { depth: 64, values: limit })
    expect(values('[1,2,3]', 4)).toBeUndefined()
    expect(values('[1,2,3,4]', 4)).toEqual({ limit: 'values', offset: 6 })
    expect(values('["a,b,c,d,e", {}]', 4)).toBeUndefined()
  })

  it('a strategy of 17 million empty objects, the kind that made JSON.parse run out of memory', () => {
    const text = `{"current_stage":1,"x":[${'{},'.repeat(JSON_LIMITS.values)}{}],"parallel_layout_item":{}}`
    expect(() => parseStrategyJson(text, 'many.json')).toThrowError(
      /^many\.json holds more than 16777216 JSON values \(counted up to offset \d+\); a strategy file holds far fewer, so Shardscope does not read it\.$/
    )
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

describe('objectMembersInTextOrder agrees with JSON.parse where JSON.parse can tell', () => {
  const spacing = fc.constantFrom(undefined, 1, 2, '\t')
  const membersOf = (text: string, path: string[]) =>
    objectMembersInTextOrder(text, path).map((m) => [
      m.key,
      JSON.parse(text.slice(m.valueStart, m.valueEnd)) as unknown
    ])

  it('every member of any object, keys with escapes included, in the order the text has them', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), spacing, (object, space) => {
        const text = JSON.stringify(object, null, space)
        // JSON.stringify writes Object.entries' order, so text order and that order are one. The entries are
        // compared as the text gives them back: JSON writes -0 as 0.
        const parsed = JSON.parse(text) as Record<string, unknown>
        expect(membersOf(text, [])).toEqual(Object.entries(parsed))
      })
    )
  })

  it('the members of an object one key down, whatever surrounds it', () => {
    const key = fc.string({ minLength: 1 })
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue()),
        key,
        fc.dictionary(fc.string(), fc.jsonValue()),
        spacing,
        (inner, at, rest, space) => {
          const object = { ...rest, [at]: inner }
          const text = JSON.stringify(object, null, space)
          const parsed = JSON.parse(text) as Record<string, Record<string, unknown>>
          expect(membersOf(text, [at])).toEqual(Object.entries(parsed[at]!))
        }
      )
    )
  })
})
