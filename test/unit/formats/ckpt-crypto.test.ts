import { createCipheriv, createDecipheriv } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CIPHER_MAGIC, type CipherMode } from '../../../src-main/engine/formats/ckpt/cipher-modes'
import { openDecryptedSource } from '../../../src-main/engine/formats/ckpt/ckpt-decrypt'
import { EncryptingSink, parseKeyArgument } from '../../../src-main/engine/formats/ckpt/ckpt-encrypt'
import { indexCkpt } from '../../../src-main/engine/formats/ckpt/ckpt-index'
import { CkptWriter } from '../../../src-main/engine/formats/ckpt/ckpt-writer'
import { readTensorBytes } from '../../../src-main/engine/formats/tensor-entry'
import { AtomicFileSink, MemorySink, type ByteSink } from '../../../src-main/engine/io/byte-sink'
import { MemorySource, readBytes, type ByteSource } from '../../../src-main/engine/io/byte-source'
import { LocalFileSource } from '../../../src-main/engine/io/local-file'
import { useTempDirs } from '../../helpers/temp-dir'

const FILE = 'model.ckpt'
const tempDir = useTempDirs()

/** Deterministic bytes, different for every seed, so a misplaced byte always shows. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let state = seed * 2654435761 + 1
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    out[i] = state >>> 24
  }
  return out
}

function keyOf(length: number, seed = 1): Uint8Array {
  return pattern(length, 1000 + seed)
}

/** About 6.7 KB of plaintext: tensors larger than a test block, a chunked tensor, and a scalar. */
async function writeModel(sink: ByteSink): Promise<void> {
  const writer = new CkptWriter(sink, { chunkBytes: 1500 })
  await writer.writeTensor('embedding.weight', 'Float32', [16, 32], pattern(2048, 1))
  await writer.writeTensor('layer0.dense.weight', 'Float16', [24, 32], pattern(1536, 2))
  await writer.writeTensor('layer0.dense.bias', 'Float32', [32], pattern(128, 3))
  await writer.writeTensor('adam_m.embedding.weight', 'Float32', [16, 48], pattern(3072, 4))
  await writer.writeTensor('learning_rate', 'Float32', [], pattern(4, 5))
  await writer.finish()
}

async function plainModel(): Promise<Uint8Array> {
  const sink = new MemorySink(FILE)
  await writeModel(sink)
  return sink.bytes()
}

async function encryptedModel(key: Uint8Array, mode: CipherMode, blockBytes: number): Promise<Uint8Array> {
  const sink = new MemorySink(FILE)
  await writeModel(new EncryptingSink(sink, key, mode, { blockBytes }))
  return sink.bytes()
}

async function encrypt(plain: Uint8Array, key: Uint8Array, mode: CipherMode, blockBytes?: number) {
  const sink = new MemorySink(FILE)
  const encrypting = new EncryptingSink(sink, key, mode, blockBytes ? { blockBytes } : {})
  await encrypting.write(plain)
  await encrypting.commit()
  return sink.bytes()
}

async function decryptAll(file: Uint8Array, key: Uint8Array, mode: CipherMode): Promise<Uint8Array> {
  const view = await openDecryptedSource(new MemorySource(FILE, file), key, mode)
  return readBytes(view, view.size, 0)
}

const u32 = (bytes: Uint8Array, at: number) => Buffer.from(bytes).readUInt32LE(at)
const le32 = (value: number) => {
  const out = Buffer.alloc(4)
  out.writeUInt32LE(value)
  return out
}

/** Counts which bytes of the encrypted file are read, to show that opening does not decrypt. */
class CountingSource implements ByteSource {
  readonly reads: Array<[number, number]> = []
  constructor(private readonly inner: ByteSource) {}
  get name() {
    return this.inner.name
  }
  get size() {
    return this.inner.size
  }
  readInto(target: Uint8Array, offset: number, length: number, position: number) {
    this.reads.push([position, length])
    return this.inner.readInto(target, offset, length, position)
  }
  close() {
    return this.inner.close()
  }
  bytesRead() {
    return this.reads.reduce((sum, [, length]) => sum + length, 0)
  }
}

const MODES_AND_KEYS: Array<[CipherMode, number]> = [
  ['AES-GCM', 16],
  ['AES-GCM', 24],
  ['AES-GCM', 32],
  ['AES-CBC', 16],
  ['AES-CBC', 24],
  ['AES-CBC', 32],
  ['SM4-CBC', 16]
]

describe('encrypted checkpoints round-trip through EncryptingSink and openDecryptedSource', () => {
  for (const [mode, keyLength] of MODES_AND_KEYS) {
    for (const blockBytes of [1000, 512]) {
      it(`${mode} with a ${keyLength}-byte key in ${blockBytes}-byte blocks indexes like the plain file`, async () => {
        const plain = await plainModel()
        const key = keyOf(keyLength)
        const encrypted = await encryptedModel(key, mode, blockBytes)
        const view = await openDecryptedSource(new MemorySource(FILE, encrypted), key, mode)
        expect(view.blockCount).toBe(Math.ceil(plain.length / blockBytes))
        expect(view.layout).toBe('mindspore-1.7')
        expect(view.size).toBe(plain.length)

        const expected = await indexCkpt(new MemorySource(FILE, plain))
        const actual = await indexCkpt(view)
        expect(actual).toEqual(expected)
        // A tensor whose payload crosses a block boundary, so the test means what it says.
        expect(
          actual.tensors.some((t) =>
            t.chunks.some(
              (c) => Math.floor(c.offset / blockBytes) !== Math.floor((c.offset + c.length - 1) / blockBytes)
            )
          )
        ).toBe(true)
        for (const tensor of actual.tensors) {
          const got = new Uint8Array(tensor.byteLength)
          const want = new Uint8Array(tensor.byteLength)
          await readTensorBytes(view, tensor, 0, tensor.byteLength, got)
          await readTensorBytes(new MemorySource(FILE, plain), tensor, 0, tensor.byteLength, want)
          expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true)
        }
        expect(Buffer.from(await readBytes(view, view.size, 0)).equals(Buffer.from(plain))).toBe(true)
        await view.close()
      })
    }
  }

  it('serves reads that span two and three blocks, in any order', async () => {
    const plain = await plainModel()
    const key = keyOf(32)
    for (const mode of ['AES-GCM', 'AES-CBC', 'SM4-CBC'] as const) {
      const encrypted = await encryptedModel(key.subarray(0, mode === 'SM4-CBC' ? 16 : 32), mode, 700)
      const view = await openDecryptedSource(
        new MemorySource(FILE, encrypted),
        key.subarray(0, mode === 'SM4-CBC' ? 16 : 32),
        mode
      )
      const ranges: Array<[number, number]> = [
        [690, 20], // across the first boundary
        [650, 800], // block 0 tail, all of block 1, block 2 head
        [plain.length - 5, 5], // the short last block
        [0, 1],
        [1399, 2], // back to the 1|2 boundary after visiting the end
        [3500, 0]
      ]
      const random = pattern(64, 77)
      for (let i = 0; i < 32; i += 2) {
        const position = (random[i]! * 31) % plain.length
        ranges.push([position, Math.min(plain.length - position, random[i + 1]! * 9)])
      }
      for (const [position, length] of ranges) {
        const got = await readBytes(view, length, position)
        expect(Buffer.from(got).equals(Buffer.from(plain.subarray(position, position + length)))).toBe(true)
      }
      await expect(readBytes(view, 2, plain.length - 1)).rejects.toMatchObject({ code: 'TRUNCATED' })
    }
  })

  it('answers concurrent reads of the same block correctly', async () => {
    const plain = await plainModel()
    const key = keyOf(16)
    const view = await openDecryptedSource(
      new MemorySource(FILE, await encryptedModel(key, 'AES-GCM', 1000)),
      key,
      'AES-GCM'
    )
    const results = await Promise.all([0, 100, 990, 1500, 2990, 10].map((p) => readBytes(view, 20, p)))
    results.forEach((got, i) => {
      const p = [0, 100, 990, 1500, 2990, 10][i]!
      expect(Buffer.from(got).equals(Buffer.from(plain.subarray(p, p + 20)))).toBe(true)
    })
  })

  it('reads only headers (and CBC tails) when opening, and only the touched block when reading', async () => {
    const plain = await plainModel()
    for (const mode of ['AES-GCM', 'AES-CBC'] as const) {
      const key = keyOf(16)
      const counting = new CountingSource(new MemorySource(FILE, await encryptedModel(key, mode, 1024)))
      const view = await openDecryptedSource(counting, key, mode)
      const blocks = Math.ceil(plain.length / 1024)
      expect(view.blockCount).toBe(blocks)
      expect(counting.bytesRead()).toBeLessThanOrEqual(blocks * (48 + 32))
      counting.reads.length = 0
      await readBytes(view, 10, 3 * 1024 + 5)
      // Block 3 only: its ciphertext is 1024 (GCM) or 1040 (CBC) bytes.
      expect(counting.bytesRead()).toBe(mode === 'AES-GCM' ? 1024 : 1040)
      counting.reads.length = 0
      await readBytes(view, 10, 3 * 1024 + 500)
      expect(counting.bytesRead()).toBe(0)
    }
  })

  it('round-trips through files on disk (AtomicFileSink → LocalFileSource)', async () => {
    const dir = tempDir()
    const path = join(dir, 'rank_0', 'checkpoint_0.ckpt')
    const key = keyOf(32)
    await writeModel(
      new EncryptingSink(await AtomicFileSink.create(path, { durable: false }), key, 'AES-GCM', {
        blockBytes: 4096
      })
    )
    const view = await openDecryptedSource(await LocalFileSource.open(path), key, 'AES-GCM')
    try {
      const index = await indexCkpt(view)
      expect(index.file).toBe(path)
      expect(index.tensors.map((t) => [t.name, t.shape])).toEqual([
        ['embedding.weight', [16, 32]],
        ['layer0.dense.weight', [24, 32]],
        ['layer0.dense.bias', [32]],
        ['adam_m.embedding.weight', [16, 48]],
        ['learning_rate', []]
      ])
      expect(view.blockCount).toBe(2)
    } finally {
      await view.close()
    }
  })
})

describe('block layout written by EncryptingSink (spec §1.10, 1.7+)', () => {
  it('lays out one small AES-GCM block as magic, tag, L = 24 + C, iv_len 16, IV, C, ciphertext', async () => {
    const key = keyOf(16)
    const plain = new TextEncoder().encode('ten bytes!')
    const file = await encrypt(plain, key, 'AES-GCM')
    expect([...file.subarray(0, 4)]).toEqual([0xd8, 0x5e, 0x3a, 0x7f])
    const tag = file.subarray(4, 20)
    expect(u32(file, 20)).toBe(24 + 10) // L
    expect(u32(file, 24)).toBe(16) // iv_len
    const iv = file.subarray(28, 44)
    expect(u32(file, 44)).toBe(10) // C == P for GCM
    expect(file.length).toBe(4 + 16 + 28 + 10)
    // Decrypt with OpenSSL directly, verifying the tag, so the layout is checked independently of our reader.
    const decipher = createDecipheriv('aes-128-gcm', key, iv).setAuthTag(tag)
    const roundTrip = Buffer.concat([decipher.update(file.subarray(48)), decipher.final()])
    expect(roundTrip.toString()).toBe('ten bytes!')
  })

  it('lays out AES-CBC blocks with no tag and C = 16·floor(P/16) + 16', async () => {
    const key = keyOf(24)
    for (const [length, cipherLength] of [
      [1, 16],
      [15, 16],
      [16, 32],
      [37, 48],
      [48, 64]
    ] as const) {
      const plain = pattern(length, length)
      const file = await encrypt(plain, key, 'AES-CBC')
      expect([...file.subarray(0, 4)]).toEqual([0xd9, 0x5e, 0x3a, 0x7f])
      expect(u32(file, 4)).toBe(24 + cipherLength)
      expect(u32(file, 8)).toBe(16)
      expect(u32(file, 28)).toBe(cipherLength)
      expect(file.length).toBe(4 + 28 + cipherLength)
      const decipher = createDecipheriv('aes-192-cbc', key, file.subarray(12, 28))
      const roundTrip = Buffer.concat([decipher.update(file.subarray(32)), decipher.final()])
      expect(roundTrip.equals(Buffer.from(plain))).toBe(true)
    }
  })

  it('starts SM4-CBC blocks with DA 5E 3A 7F and uses a fresh IV per block', async () => {
    const key = keyOf(16)
    const file = await encrypt(pattern(40, 9), key, 'SM4-CBC', 20)
    // Two blocks of 20 plaintext bytes → 32 bytes of ciphertext each.
    expect(file.length).toBe(2 * (4 + 28 + 32))
    expect([...file.subarray(0, 4)]).toEqual([0xda, 0x5e, 0x3a, 0x7f])
    expect([...file.subarray(64, 68)]).toEqual([0xda, 0x5e, 0x3a, 0x7f])
    expect(Buffer.from(file.subarray(12, 28)).equals(Buffer.from(file.subarray(76, 92)))).toBe(false)
    expect(Buffer.from(await decryptAll(file, key, 'SM4-CBC')).equals(Buffer.from(pattern(40, 9)))).toBe(true)
  })

  it('writes nothing for an empty plaintext and cuts exactly at the block size', async () => {
    const key = keyOf(16)
    expect((await encrypt(new Uint8Array(0), key, 'AES-GCM')).length).toBe(0)
    const file = await encrypt(pattern(300, 3), key, 'AES-GCM', 100)
    expect(file.length).toBe(3 * (48 + 100))
    expect([u32(file, 44), u32(file, 148 + 44), u32(file, 296 + 44)]).toEqual([100, 100, 100])
  })

  it('rejects keys of the wrong length for the mode', () => {
    const sink = new MemorySink()
    expect(() => new EncryptingSink(sink, keyOf(32), 'SM4-CBC')).toThrow(/An SM4-CBC key must be 16 bytes/)
    expect(() => new EncryptingSink(sink, keyOf(20), 'AES-GCM')).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' })
    )
  })
})

describe('decryption failures are reported in words', () => {
  it('rejects a wrong key in every mode with DECRYPT_FAILED', async () => {
    for (const mode of ['AES-GCM', 'AES-CBC', 'SM4-CBC'] as const) {
      const encrypted = await encryptedModel(keyOf(16, 1), mode, 1000)
      const attempt = openDecryptedSource(new MemorySource(FILE, encrypted), keyOf(16, 2), mode).then(
        (view) => indexCkpt(view)
      )
      await expect(attempt).rejects.toMatchObject({
        code: 'DECRYPT_FAILED',
        file: FILE,
        message: `${FILE} could not be decrypted with the given key (${mode}): the key is wrong or the file was altered.`
      })
    }
  })

  it('rejects a key of the wrong length before reading', async () => {
    const encrypted = await encryptedModel(keyOf(16), 'SM4-CBC', 1000)
    await expect(
      openDecryptedSource(new MemorySource(FILE, encrypted), keyOf(24), 'SM4-CBC')
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'An SM4-CBC key must be 16 bytes long; the given key has 24 bytes.'
    })
    await expect(
      openDecryptedSource(new MemorySource(FILE, encrypted), keyOf(8), 'AES-CBC')
    ).rejects.toMatchObject({
      code: 'BAD_INPUT'
    })
  })

  it('names the mode a file was really encrypted with', async () => {
    const key = keyOf(16)
    const cases: Array<[CipherMode, CipherMode]> = [
      ['AES-GCM', 'SM4-CBC'],
      ['AES-GCM', 'AES-CBC'],
      ['AES-CBC', 'AES-GCM'],
      ['SM4-CBC', 'AES-CBC']
    ]
    for (const [written, asked] of cases) {
      const encrypted = await encryptedModel(key, written, 1000)
      await expect(openDecryptedSource(new MemorySource(FILE, encrypted), key, asked)).rejects.toMatchObject({
        code: 'DECRYPT_FAILED',
        message: `${FILE} was encrypted with ${written}, not ${asked}; open it with that mode.`
      })
    }
  })

  it('reports truncation anywhere in the file as TRUNCATED, naming the file', async () => {
    const key = keyOf(32)
    for (const mode of ['AES-GCM', 'AES-CBC'] as const) {
      const encrypted = await encryptedModel(key, mode, 1000)
      for (const cut of [1, 5, encrypted.length - 1000, 30, 6]) {
        const short = encrypted.subarray(0, encrypted.length - cut)
        const attempt = openDecryptedSource(new MemorySource(FILE, short), key, mode)
        await expect(attempt).rejects.toMatchObject({ code: 'TRUNCATED', file: FILE })
        await expect(attempt).rejects.toThrow(
          new RegExp(`^${FILE} is truncated: encrypted block \\d+ at offset \\d+`)
        )
      }
    }
  })

  it('detects one altered ciphertext byte in AES-GCM, only when its block is read', async () => {
    const key = keyOf(16)
    const encrypted = await encryptedModel(key, 'AES-GCM', 1000)
    const tampered = encrypted.slice()
    const thirdBlockCiphertext = 2 * (48 + 1000) + 48
    tampered[thirdBlockCiphertext + 123]! ^= 0x01
    const view = await openDecryptedSource(new MemorySource(FILE, tampered), key, 'AES-GCM')
    const plain = await plainModel()
    expect(Buffer.from(await readBytes(view, 2000, 0)).equals(Buffer.from(plain.subarray(0, 2000)))).toBe(
      true
    )
    await expect(readBytes(view, 1, 2500)).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: `${FILE} could not be decrypted with the given key (AES-GCM): the key is wrong or the file was altered.`
    })
    await expect(indexCkpt(view)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' })
  })

  it('detects an altered GCM tag and a damaged length field', async () => {
    const key = keyOf(16)
    const encrypted = await encryptedModel(key, 'AES-GCM', 1000)
    const badTag = encrypted.slice()
    badTag[4]! ^= 0x80
    const view = await openDecryptedSource(new MemorySource(FILE, badTag), key, 'AES-GCM')
    await expect(readBytes(view, 1, 0)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' })

    const badLength = encrypted.slice()
    badLength.set(le32(1000 + 25), 20)
    await expect(
      openDecryptedSource(new MemorySource(FILE, badLength), key, 'AES-GCM')
    ).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining('encrypted block 1 at offset 0')
    })
  })

  it('explains a CRC trailer appended after the ciphertext', async () => {
    const key = keyOf(16)
    const encrypted = await encryptedModel(key, 'AES-CBC', 1000)
    const withTrailer = Buffer.concat([encrypted, Buffer.from('crc_num'), Buffer.alloc(10)])
    await expect(
      openDecryptedSource(new MemorySource(FILE, withTrailer), key, 'AES-CBC')
    ).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining('CRC trailer')
    })
  })

  it('refuses plain, empty and unknown files', async () => {
    const key = keyOf(16)
    await expect(
      openDecryptedSource(new MemorySource(FILE, await plainModel()), key, 'AES-GCM')
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('is not encrypted')
    })
    await expect(
      openDecryptedSource(new MemorySource(FILE, new Uint8Array(0)), key, 'AES-GCM')
    ).rejects.toMatchObject({
      code: 'EMPTY_FILE'
    })
    await expect(
      openDecryptedSource(new MemorySource(FILE, pattern(100, 1)), key, 'AES-GCM')
    ).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT'
    })
  })

  it('makes indexCkpt say ENCRYPTED when no key is given', async () => {
    for (const mode of ['AES-GCM', 'AES-CBC', 'SM4-CBC'] as const) {
      const encrypted = await encryptedModel(keyOf(16), mode, 1000)
      await expect(indexCkpt(new MemorySource(FILE, encrypted))).rejects.toMatchObject({
        code: 'ENCRYPTED',
        message: expect.stringContaining(mode)
      })
    }
  })
})

/**
 * MindSpore 1.3–1.6 layout, built by hand from the spec: magic 0x7F3A5ED8 for both AES modes, no tag field,
 * then L, iv_len, IV, C, ciphertext. Real files cut the plaintext every 512 MiB; the reader must not care.
 */
function legacyFile(
  plain: Uint8Array,
  key: Uint8Array,
  cipherMode: 'gcm' | 'cbc',
  blockBytes: number
): Uint8Array {
  const parts: Uint8Array[] = []
  for (let offset = 0; offset < plain.length; offset += blockBytes) {
    const piece = plain.subarray(offset, offset + blockBytes)
    const iv = pattern(16, offset + 7)
    const cipher = createCipheriv(`aes-${key.length * 8}-${cipherMode}`, key, iv)
    // Legacy GCM stored no tag; MindSpore then did not even call final.
    const ciphertext =
      cipherMode === 'gcm' ? cipher.update(piece) : Buffer.concat([cipher.update(piece), cipher.final()])
    parts.push(
      le32(CIPHER_MAGIC['AES-GCM']),
      le32(24 + ciphertext.length),
      le32(16),
      iv,
      le32(ciphertext.length),
      ciphertext
    )
  }
  return Buffer.concat(parts)
}

describe('the MindSpore 1.3–1.6 layout', () => {
  for (const [cipherMode, mode] of [
    ['gcm', 'AES-GCM'],
    ['cbc', 'AES-CBC']
  ] as const) {
    it(`decrypts a hand-built legacy ${mode} file`, async () => {
      const plain = await plainModel()
      const key = keyOf(32, 5)
      const file = legacyFile(plain, key, cipherMode, 2048)
      const view = await openDecryptedSource(new MemorySource(FILE, file), key, mode)
      expect(view.layout).toBe('mindspore-1.3')
      expect(view.blockCount).toBe(Math.ceil(plain.length / 2048))
      expect(await indexCkpt(view)).toEqual(await indexCkpt(new MemorySource(FILE, plain)))
      expect(Buffer.from(await readBytes(view, view.size, 0)).equals(Buffer.from(plain))).toBe(true)
    })
  }

  it('rejects a wrong key for legacy AES-GCM although there is no tag', async () => {
    const plain = await plainModel()
    const file = legacyFile(plain, keyOf(16, 1), 'gcm', 2048)
    // Pick a wrong key that does not happen to decrypt the first byte to 0x0a.
    const wrongKey = [2, 3, 4, 5]
      .map((seed) => keyOf(16, seed))
      .find((candidate) => {
        const decipher = createDecipheriv('aes-128-gcm', candidate, pattern(16, 7))
        return decipher.update(file.subarray(32, 33))[0] !== 0x0a
      })!
    await expect(
      openDecryptedSource(new MemorySource(FILE, file), wrongKey, 'AES-GCM')
    ).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: expect.stringContaining('MindSpore 1.3–1.6 do not record whether AES-GCM or AES-CBC')
    })
  })

  it('says that SM4-CBC cannot apply to a legacy file', async () => {
    const file = legacyFile(await plainModel(), keyOf(16), 'cbc', 2048)
    await expect(
      openDecryptedSource(new MemorySource(FILE, file), keyOf(16), 'SM4-CBC')
    ).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: expect.stringContaining('MindSpore 1.3–1.6 layout')
    })
  })

  it('reports a truncated legacy file as TRUNCATED', async () => {
    const file = legacyFile(await plainModel(), keyOf(16), 'cbc', 2048)
    await expect(
      openDecryptedSource(new MemorySource(FILE, file.subarray(0, file.length - 10)), keyOf(16), 'AES-CBC')
    ).rejects.toMatchObject({ code: 'TRUNCATED', file: FILE })
  })
})

describe('parseKeyArgument', () => {
  it('accepts 32, 48 and 64 hex digits', () => {
    expect([...parseKeyArgument('000102030405060708090a0b0c0d0e0f')]).toEqual([...Array(16).keys()])
    expect(parseKeyArgument('AB'.repeat(24))).toEqual(new Uint8Array(24).fill(0xab))
    expect(parseKeyArgument('0x' + 'ff'.repeat(32))).toEqual(new Uint8Array(32).fill(0xff))
  })

  it('rejects other lengths and non-hex text with BAD_INPUT', () => {
    expect(() => parseKeyArgument('abcd')).toThrow(
      /4 hex digits; an AES or SM4 key is 32, 48 or 64 hex digits/
    )
    expect(() => parseKeyArgument('zz'.repeat(16))).toThrow(/not hexadecimal/)
    expect(() => parseKeyArgument('')).toThrow(/empty/)
    expect(() => parseKeyArgument('a'.repeat(33))).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })

  it('reads raw key bytes from @file', () => {
    const dir = tempDir()
    const path = join(dir, 'ckpt.key')
    writeFileSync(path, keyOf(24))
    expect(parseKeyArgument('@' + path)).toEqual(keyOf(24))
  })

  it('explains a missing or wrongly sized key file', () => {
    const dir = tempDir()
    expect(() => parseKeyArgument('@' + join(dir, 'missing.key'))).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('it does not exist') })
    )
    const hexFile = join(dir, 'hex.key')
    writeFileSync(hexFile, 'ab'.repeat(16) + '\n')
    expect(() => parseKeyArgument('@' + hexFile)).toThrow(
      /holds 33 bytes; it must hold exactly the 16, 24 or 32 raw/
    )
    expect(() => parseKeyArgument('@')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })
})
