import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalRecord } from '../../../src-main/engine/formats/ckpt/ckpt-fast-record'
import { RecordScanner } from '../../../src-main/engine/formats/ckpt/ckpt-record-scanner'
import { recordHeader } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { findCrcTrailer } from '../../../src-main/engine/formats/ckpt/crc-trailer'
import { headerText } from '../../../src-main/engine/formats/ckpt/header-text'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { WindowReader } from '../../../src-main/engine/io/window-reader'
import { FIXTURES } from '../../helpers/fixtures'

function ckptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return ckptFiles(path)
    return name.endsWith('.ckpt') && !name.includes('strategy') ? [path] : []
  })
}

/** Walks a file with the careful scanner and checks the fast path at every record it would accept. */
async function compareRecords(name: string, bytes: Uint8Array) {
  const source = new MemorySource(name, bytes)
  const end = (await findCrcTrailer(source))?.coveredBytes ?? bytes.length
  const scanner = new RecordScanner(new WindowReader(source), name, end)
  let fast = 0
  let records = 0
  const names = headerText.sequence()
  for (let pos = 0; pos < end;) {
    const careful = await scanner.record(pos)
    const quick = canonicalRecord(bytes, pos, bytes.length, pos, end, names)
    if (quick) {
      expect(quick).toEqual(careful)
      fast++
    }
    if (careful.value) records++
    pos = careful.next
  }
  return { fast, records }
}

describe('the synchronous record path reads exactly what the careful scanner reads', () => {
  it('on every MindSpore-written .ckpt fixture, and takes almost every record', async () => {
    let fast = 0
    let records = 0
    const files = ckptFiles(FIXTURES)
    expect(files.length).toBeGreaterThan(50)
    for (const file of files) {
      const counts = await compareRecords(file, new Uint8Array(readFileSync(file)))
      fast += counts.fast
      records += counts.records
    }
    // Only MapParameter records, legacy layouts and the like take the careful path.
    expect(fast).toBeGreaterThan(records * 0.9)
  })

  it('declines what is not the usual layout, leaving the words to the careful scanner', () => {
    const names = headerText.sequence()
    const at = (bytes: Uint8Array, end = bytes.length) =>
      canonicalRecord(bytes, 0, bytes.length, 0, end, names)
    const good = Buffer.concat([recordHeader('w', 'Float32', [2], 8), Buffer.alloc(8)])
    expect(at(good)?.value.name).toBe('w')
    // Runs past the end of the records, cut inside the header, an unknown dtype, a dim beyond 2^53.
    expect(at(good, good.length - 1)).toBeUndefined()
    expect(canonicalRecord(good, 0, 6, 0, good.length, names)).toBeUndefined()
    const odd = Buffer.concat([recordHeader('w', 'Float99', [2], 8), Buffer.alloc(8)])
    expect(at(odd)).toBeUndefined()
    const huge = Buffer.concat([recordHeader('w', 'Float32', [2 ** 53 + 2], 8), Buffer.alloc(8)])
    expect(at(huge)).toBeUndefined()
    // Fields after the payload: legal protobuf, so the careful scanner must see them.
    const tail = Buffer.from(good)
    tail[1] = tail[1]! + 2
    const longer = Buffer.concat([tail, Buffer.from([0x20, 0x01])])
    expect(at(longer)).toBeUndefined()
  })
})
