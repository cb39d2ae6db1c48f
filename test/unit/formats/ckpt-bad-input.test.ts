import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { indexCkpt } from '../../../src-main/engine/formats/ckpt/ckpt-index'
import { recordHeader } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import { real } from '../../helpers/fixtures'

const router = () => new Uint8Array(readFileSync(real('mindformers__golden_router.ckpt')))
const index = (name: string, bytes: Uint8Array) => indexCkpt(new MemorySource(name, bytes))

function record(name: string, dtype: string, dims: number[], payload: Uint8Array): Uint8Array {
  return Buffer.concat([recordHeader(name, dtype, dims, payload.length), payload])
}

/** A record around hand-made TensorProto bytes (lengths below 128, so one-byte varints). */
function rawRecord(name: string, tensorProto: Uint8Array): Buffer {
  const value = Buffer.concat([
    Buffer.from([0x0a, name.length]),
    Buffer.from(name),
    Buffer.from([0x12, tensorProto.length]),
    tensorProto
  ])
  return Buffer.concat([Buffer.from([0x0a, value.length]), value])
}

function lenField(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes])
}

describe('bad .ckpt input gets one clear sentence naming the file (and parameter)', () => {
  it('empty file', async () => {
    await expect(index('empty.ckpt', new Uint8Array(0))).rejects.toMatchObject({
      code: 'EMPTY_FILE',
      file: 'empty.ckpt',
      message: 'empty.ckpt is empty (0 bytes); a checkpoint holds at least one record.'
    })
  })

  it('truncated record', async () => {
    const bytes = router().subarray(0, 200)
    await expect(index('cut.ckpt', bytes)).rejects.toMatchObject({
      code: 'TRUNCATED',
      param: 'gating.weight',
      message: expect.stringMatching(
        /^cut\.ckpt is truncated: the record of parameter gating\.weight at offset 0 needs 290 bytes/
      )
    })
  })

  it('truncated inside a header varint', async () => {
    const bytes = Buffer.concat([router(), Buffer.from([0x0a, 0xff])])
    await expect(index('tail.ckpt', bytes)).rejects.toMatchObject({ code: 'TRUNCATED', file: 'tail.ckpt' })
  })

  it('garbage bytes after a good record', async () => {
    const bytes = Buffer.concat([router(), Buffer.from('this is not protobuf at all')])
    await expect(index('junk.ckpt', bytes)).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining(
        'junk.ckpt is not a valid MindSpore checkpoint: unreadable bytes at offset 293'
      )
    })
  })

  it('wrong magic (not a checkpoint at all)', async () => {
    await expect(
      index('photo.ckpt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))
    ).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      message:
        'photo.ckpt is not a MindSpore checkpoint: it starts with byte 0x89 where a checkpoint record (0x0a) is expected.'
    })
  })

  it('unknown dtype', async () => {
    const bytes = record('w', 'Float42', [2], new Uint8Array(8))
    await expect(index('odd.ckpt', bytes)).rejects.toMatchObject({
      code: 'UNKNOWN_DTYPE',
      param: 'w',
      message: 'odd.ckpt: parameter w has an unknown tensor type "Float42".'
    })
  })

  it('dims that overflow', async () => {
    const huge = [2 ** 40, 2 ** 40]
    const bytes = record('w', 'Float32', huge, new Uint8Array(4))
    await expect(index('huge.ckpt', bytes)).rejects.toMatchObject({
      code: 'CORRUPT',
      param: 'w',
      message: expect.stringContaining(
        'huge.ckpt: parameter w has dims [1099511627776, 1099511627776] whose size overflows'
      )
    })
  })

  it('a dimension varint beyond 2^53', async () => {
    const tensor = Buffer.concat([
      Buffer.from('08ffffffffffffffff7f', 'hex'),
      lenField(2, Buffer.from('Float32')),
      lenField(3, new Uint8Array(4))
    ])
    await expect(index('varint.ckpt', rawRecord('w', tensor))).rejects.toMatchObject({
      code: 'CORRUPT',
      file: 'varint.ckpt',
      message: expect.stringContaining('varint.ckpt is not a valid MindSpore checkpoint')
    })
  })

  it('payload length that disagrees with dims × dtype', async () => {
    const bytes = record('layer.weight', 'Float16', [4, 4], new Uint8Array(30))
    await expect(index('short.ckpt', bytes)).rejects.toMatchObject({
      code: 'SIZE_MISMATCH',
      param: 'layer.weight',
      message:
        'short.ckpt: parameter layer.weight has 30 payload bytes, but its dims [4, 4] call for 32 bytes (16 × 2-byte Float16).'
    })
  })

  it('chunks of one tensor that disagree', async () => {
    const bytes = Buffer.concat([
      record('w', 'Float32', [2], new Uint8Array(4)),
      record('w', 'Float16', [2], new Uint8Array(4))
    ])
    await expect(index('chunks.ckpt', bytes)).rejects.toMatchObject({ code: 'CORRUPT', param: 'w' })
  })

  it('an encrypted file without its key', async () => {
    const bytes = Buffer.from('d85e3a7f' + '00'.repeat(60), 'hex')
    await expect(index('secret.ckpt', bytes)).rejects.toMatchObject({
      code: 'ENCRYPTED',
      message: 'secret.ckpt is an encrypted checkpoint (AES-GCM); give its key (and mode) to read it.'
    })
  })
})

describe('tolerated quirks', () => {
  it('keeps the later copy of a repeated tag and warns, as MindSpore does', async () => {
    const first = record('w', 'Float32', [1], Buffer.from([1, 0, 0, 0]))
    const other = record('b', 'Float32', [1], Buffer.from([2, 0, 0, 0]))
    const second = record('w', 'Float32', [2], new Uint8Array(8))
    const result = await index('twice.ckpt', Buffer.concat([first, other, second]))
    expect(result.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['b', [1]],
      ['w', [2]]
    ])
    expect(result.warnings).toEqual([
      'Parameter w appears twice in twice.ckpt; the later copy is used, as MindSpore does.'
    ])
  })

  it('indexes 40 000 tags each repeated in one pass (it was quadratic: this took 178 s)', async () => {
    const tags = 40_000
    const records: Uint8Array[] = []
    for (const copy of [1, 2])
      for (let i = 0; i < tags; i++) records.push(record(`p${i}`, 'Int8', [1], Buffer.from([copy])))
    // No timing assertion: the quadratic version runs minutes past the test's timeout, this one seconds.
    const result = await index('repeated.ckpt', Buffer.concat(records))
    expect(result.tensors).toHaveLength(tags)
    expect([result.tensors[0]!.name, result.tensors[tags - 1]!.name]).toEqual(['p0', `p${tags - 1}`])
    // The later copies are the ones kept, in the order they appear.
    const secondCopies = records.slice(0, tags).reduce((offset, r) => offset + r.length, 0)
    expect(result.tensors.every((t) => t.recordOffset >= secondCopies)).toBe(true)
    expect(result.warnings).toHaveLength(tags)
  })

  it('accepts packed dims, legacy Uint8 spelling, str entries and skips a v0.5 model_type field', async () => {
    // Packed dims: TensorProto field 1 as one length-delimited run.
    const packed = rawRecord(
      'p',
      Buffer.concat([
        lenField(1, Buffer.from([2, 3])),
        lenField(2, Buffer.from('Uint8')),
        lenField(3, Buffer.from([1, 2, 3, 4, 5, 6]))
      ])
    )
    // "hi" in UTF-32LE, as NumPy stores a <U2 string.
    const text = record('note', 'str', [0], Buffer.from('6800000069000000', 'hex'))
    const modelType = Buffer.from([0x12, 0x06, ...Buffer.from('normal')])
    const result = await index('old.ckpt', Buffer.concat([packed, text, modelType]))
    expect(result.tensors.map((t) => [t.name, t.dtype, t.storedDtype, t.shape])).toEqual([
      ['p', 'UInt8', 'Uint8', [2, 3]],
      ['note', 'str', 'str', [2]]
    ])
  })
})
