import { createDecipheriv, type CipherGCMTypes, type Decipher } from 'node:crypto'
import { ShardscopeError } from '../../errors'
import { readBytes, truncatedError, type ByteSource } from '../../io/byte-source'
import { CIPHER_MAGIC, cipherModeOfMagic, type CipherMode } from './cipher-modes'

/**
 * Encrypted `.ckpt` files (spec §1.10) are a run of independent blocks, each `magic [+ GCM tag] + L + iv_len + IV +
 * C + ciphertext`. This module reads them as a plaintext ByteSource that decrypts a block only when a read needs it.
 */

export const ENCRYPTION_IV_BYTES = 16
export const GCM_TAG_BYTES = 16
/** AES and SM4 both encrypt 16-byte blocks; CBC ciphertext is a whole number of them. */
export const CIPHER_BLOCK_BYTES = 16
/** `L` counts iv_len (4) + IV + C (4) + the ciphertext. */
export const BLOCK_LENGTH_OVERHEAD = 4 + ENCRYPTION_IV_BYTES + 4

/** 1.7+: a magic per mode and a stored GCM tag. 1.3–1.6: one magic for both AES modes and no tag. */
export type EncryptionLayout = 'mindspore-1.7' | 'mindspore-1.3'

export interface DecryptedSource extends ByteSource {
  readonly layout: EncryptionLayout
  readonly blockCount: number
}

const LEGACY_MAGIC = CIPHER_MAGIC['AES-GCM']
// MindSpore writes at most 64 MiB per block (512 MiB before 1.7); anything larger is a damaged length field, and
// refusing it keeps us from allocating gigabytes on garbage.
const MAX_CIPHERTEXT_BYTES = 512 * 1024 * 1024 + CIPHER_BLOCK_BYTES
// Ciphertext is fed to the cipher in pieces of this size, so decrypting a block needs only its plaintext buffer.
const DECRYPT_PIECE_BYTES = 4 * 1024 * 1024
// Two 64 MiB blocks stay decrypted, so reads that straddle a block boundary, or alternate between neighbours, do
// not decrypt the same block again and again. A 512 MiB legacy block exceeds the budget alone, so only one is kept:
// reading a legacy file costs up to 512 MiB of plaintext plus one 4 MiB piece of ciphertext.
const CACHE_BUDGET_BYTES = 128 * 1024 * 1024

export type CipherSuite =
  | { mode: CipherMode; kind: 'gcm'; algorithm: CipherGCMTypes }
  | { mode: CipherMode; kind: 'cbc'; algorithm: string }

/** The OpenSSL cipher for `mode` with this key, or a BAD_INPUT error if the key length does not fit the mode. */
export function cipherSuite(mode: CipherMode, key: Uint8Array): CipherSuite {
  const bits = key.length * 8
  if (mode === 'SM4-CBC') {
    if (key.length !== 16) throw badKeyLength(mode, key.length, '16')
    return { mode, kind: 'cbc', algorithm: 'sm4-cbc' }
  }
  if (bits !== 128 && bits !== 192 && bits !== 256) throw badKeyLength(mode, key.length, '16, 24 or 32')
  if (mode === 'AES-GCM') return { mode, kind: 'gcm', algorithm: `aes-${bits}-gcm` }
  return { mode, kind: 'cbc', algorithm: `aes-${bits}-cbc` }
}

/**
 * A plaintext view of an encrypted checkpoint. Opening reads only block headers (and, for CBC, the last two
 * cipher blocks of each block, to learn the padding); each block is decrypted when a read first touches it. The
 * view owns `source` and closes it on `close`; if opening fails, the caller still owns it.
 */
export async function openDecryptedSource(
  source: ByteSource,
  key: Uint8Array,
  mode: CipherMode
): Promise<DecryptedSource> {
  const suite = cipherSuite(mode, key)
  if (source.size === 0) {
    throw new ShardscopeError(
      'EMPTY_FILE',
      `${source.name} is empty (0 bytes); there is nothing to decrypt.`,
      {
        file: source.name
      }
    )
  }
  const layout = await detectLayout(source, suite)
  const blocks = await scanBlocks(source, suite, layout, key)
  const view = new DecryptedCkptSource(source, suite, layout, key, blocks)
  if (layout === 'mindspore-1.3' && suite.kind === 'gcm') await view.checkLegacyGcmKey()
  return view
}

interface EncryptedBlock {
  iv: Uint8Array
  tag?: Uint8Array
  cipherOffset: number
  cipherLength: number
  plainOffset: number
  plainLength: number
}

/** Decides from the first block which layout the file uses, or explains why it cannot be read with `mode`. */
async function detectLayout(source: ByteSource, suite: CipherSuite): Promise<EncryptionLayout> {
  const head = await readBytes(
    source,
    Math.min(source.size, 4 + GCM_TAG_BYTES + BLOCK_LENGTH_OVERHEAD + 4),
    0
  )
  const found = cipherModeOfMagic(head)
  if (found === undefined) throw notEncrypted(source.name, head)
  const magic = readUint32(head, 0)
  const legacy = magic === LEGACY_MAGIC && looksLikeBlockLengths(head, 4)
  // A 1.7+ GCM block has its random tag where the legacy layout has L and iv_len; both matching is a 2^-64 accident.
  const modernGcm = magic === LEGACY_MAGIC && looksLikeBlockLengths(head, 4 + GCM_TAG_BYTES)
  if (legacy && !modernGcm) {
    if (suite.mode === 'SM4-CBC') {
      throw wrongMode(source.name, 'AES (MindSpore 1.3–1.6 layout, AES-GCM or AES-CBC)', suite.mode)
    }
    return 'mindspore-1.3'
  }
  if (found !== suite.mode) throw wrongMode(source.name, found, suite.mode)
  return 'mindspore-1.7'
}

/** Whether `L` at `at` and `iv_len` after it look like a block header (C too, when those bytes are present). */
function looksLikeBlockLengths(head: Uint8Array, at: number): boolean {
  if (head.length < at + 8) return false
  const blockLength = readUint32(head, at)
  if (readUint32(head, at + 4) !== ENCRYPTION_IV_BYTES || blockLength <= BLOCK_LENGTH_OVERHEAD) return false
  const cipherLengthAt = at + 4 + 4 + ENCRYPTION_IV_BYTES
  return (
    head.length < cipherLengthAt + 4 ||
    readUint32(head, cipherLengthAt) === blockLength - BLOCK_LENGTH_OVERHEAD
  )
}

async function scanBlocks(
  source: ByteSource,
  suite: CipherSuite,
  layout: EncryptionLayout,
  key: Uint8Array
): Promise<EncryptedBlock[]> {
  const hasTag = suite.kind === 'gcm' && layout === 'mindspore-1.7'
  const magic = layout === 'mindspore-1.3' ? LEGACY_MAGIC : CIPHER_MAGIC[suite.mode]
  const headerBytes = 4 + (hasTag ? GCM_TAG_BYTES : 0) + BLOCK_LENGTH_OVERHEAD + 4
  const blocks: EncryptedBlock[] = []
  let plainOffset = 0
  for (let start = 0; start < source.size;) {
    const number = blocks.length + 1
    const available = Math.min(headerBytes, source.size - start)
    const header = await readBytes(source, available, start)
    if (available >= 4 && readUint32(header, 0) !== magic) throw badMagic(source.name, number, start, header)
    if (available < headerBytes) throw truncatedBlock(source, number, start, headerBytes)
    let at = 4
    const tag = hasTag ? header.slice(at, (at += GCM_TAG_BYTES)) : undefined
    const blockLength = readUint32(header, at)
    const ivLength = readUint32(header, at + 4)
    const iv = header.slice(at + 8, at + 8 + ENCRYPTION_IV_BYTES)
    const cipherLength = readUint32(header, at + 8 + ENCRYPTION_IV_BYTES)
    if (ivLength !== ENCRYPTION_IV_BYTES) {
      throw damagedBlock(
        source.name,
        number,
        start,
        `its IV length is ${ivLength}, not ${ENCRYPTION_IV_BYTES}`
      )
    }
    if (cipherLength === 0 || cipherLength > MAX_CIPHERTEXT_BYTES) {
      throw damagedBlock(source.name, number, start, `its ciphertext length ${cipherLength} is impossible`)
    }
    if (blockLength !== cipherLength + BLOCK_LENGTH_OVERHEAD) {
      throw damagedBlock(
        source.name,
        number,
        start,
        `its length field says ${blockLength} bytes, but IV and ${cipherLength} bytes of ciphertext need ${cipherLength + BLOCK_LENGTH_OVERHEAD}`
      )
    }
    if (suite.kind === 'cbc' && cipherLength % CIPHER_BLOCK_BYTES !== 0) {
      throw damagedBlock(
        source.name,
        number,
        start,
        `its ${cipherLength} bytes of ${suite.mode} ciphertext are not a multiple of 16`
      )
    }
    const cipherOffset = start + headerBytes
    if (cipherOffset + cipherLength > source.size) {
      throw truncatedBlock(source, number, start, headerBytes + cipherLength)
    }
    const block: EncryptedBlock = { iv, cipherOffset, cipherLength, plainOffset, plainLength: cipherLength }
    if (tag) block.tag = tag
    if (suite.kind === 'cbc') block.plainLength -= await cbcPadding(source, suite, layout, key, block)
    blocks.push(block)
    plainOffset += block.plainLength
    start = cipherOffset + cipherLength
  }
  return blocks
}

/**
 * The PKCS#7 padding length of a CBC block, learnt by decrypting only its last cipher block: in CBC that needs
 * just the cipher block before it (or the IV) as the chaining value.
 */
async function cbcPadding(
  source: ByteSource,
  suite: CipherSuite,
  layout: EncryptionLayout,
  key: Uint8Array,
  block: EncryptedBlock
): Promise<number> {
  const tailLength = Math.min(block.cipherLength, 2 * CIPHER_BLOCK_BYTES)
  const tail = await readBytes(source, tailLength, block.cipherOffset + block.cipherLength - tailLength)
  const chaining = tailLength > CIPHER_BLOCK_BYTES ? tail.subarray(0, CIPHER_BLOCK_BYTES) : block.iv
  const decipher = createDecipheriv(suite.algorithm, key, chaining).setAutoPadding(false)
  const last = Buffer.concat([
    decipher.update(tail.subarray(tailLength - CIPHER_BLOCK_BYTES)),
    decipher.final()
  ])
  const padding = last[CIPHER_BLOCK_BYTES - 1]!
  const valid =
    padding >= 1 &&
    padding <= CIPHER_BLOCK_BYTES &&
    last.subarray(CIPHER_BLOCK_BYTES - padding).every((b) => b === padding)
  if (!valid) throw decryptFailed(source.name, suite.mode, layout)
  return padding
}

class DecryptedCkptSource implements DecryptedSource {
  readonly name: string
  readonly size: number
  // Map order is recency order: the first entry is the least recently used.
  private readonly cache = new Map<number, Promise<Uint8Array>>()

  constructor(
    private readonly source: ByteSource,
    private readonly suite: CipherSuite,
    readonly layout: EncryptionLayout,
    private readonly key: Uint8Array,
    private readonly blocks: readonly EncryptedBlock[]
  ) {
    this.name = source.name
    const last = blocks[blocks.length - 1]
    this.size = last ? last.plainOffset + last.plainLength : 0
  }

  get blockCount(): number {
    return this.blocks.length
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    if (position < 0 || position + length > this.size) throw truncatedError(this, position, length)
    let done = 0
    for (let index = this.blockIndexAt(position); done < length; index++) {
      const block = this.blocks[index]!
      const plain = await this.plainBlock(index)
      const from = position + done - block.plainOffset
      const take = Math.min(length - done, block.plainLength - from)
      target.set(plain.subarray(from, from + take), offset + done)
      done += take
    }
  }

  async close(): Promise<void> {
    this.cache.clear()
    await this.source.close()
  }

  /**
   * Legacy GCM blocks carry no tag, so a wrong key decrypts to noise without complaint. A checkpoint's plaintext
   * starts with a record key (0x0a); checking that one byte catches all but 1 in 256 wrong keys before they turn
   * into a confusing parse error.
   */
  async checkLegacyGcmKey(): Promise<void> {
    const first = this.blocks[0]
    if (!first) return
    const head = await readBytes(
      this.source,
      Math.min(first.cipherLength, CIPHER_BLOCK_BYTES),
      first.cipherOffset
    )
    const decipher = createDecipheriv(this.suite.algorithm, this.key, first.iv)
    if (decipher.update(head)[0] !== 0x0a) throw decryptFailed(this.name, this.suite.mode, this.layout)
  }

  private blockIndexAt(position: number): number {
    let low = 0
    let high = this.blocks.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if (this.blocks[middle]!.plainOffset <= position) low = middle
      else high = middle - 1
    }
    return low
  }

  private plainBlock(index: number): Promise<Uint8Array> {
    const cached = this.cache.get(index)
    if (cached) {
      this.cache.delete(index)
      this.cache.set(index, cached)
      return cached
    }
    const pending = this.decryptBlock(this.blocks[index]!)
    this.cache.set(index, pending)
    // A failed block is not remembered: the next read tries again (and fails again, with the same sentence).
    pending.catch(() => {
      if (this.cache.get(index) === pending) this.cache.delete(index)
    })
    this.evictBeyondBudget()
    return pending
  }

  private evictBeyondBudget(): void {
    let cachedBytes = 0
    for (const index of this.cache.keys()) cachedBytes += this.blocks[index]!.plainLength
    for (const index of this.cache.keys()) {
      if (cachedBytes <= CACHE_BUDGET_BYTES || this.cache.size <= 1) break
      this.cache.delete(index)
      cachedBytes -= this.blocks[index]!.plainLength
    }
  }

  private async decryptBlock(block: EncryptedBlock): Promise<Uint8Array> {
    const plain = new Uint8Array(block.plainLength)
    const piece = new Uint8Array(Math.min(block.cipherLength, DECRYPT_PIECE_BYTES))
    const decipher = this.decipherFor(block)
    let written = 0
    const append = (output: Uint8Array): void => {
      if (written + output.length > plain.length) throw decryptFailed(this.name, this.suite.mode, this.layout)
      plain.set(output, written)
      written += output.length
    }
    for (let done = 0; done < block.cipherLength; done += piece.length) {
      const length = Math.min(piece.length, block.cipherLength - done)
      await this.source.readInto(piece, 0, length, block.cipherOffset + done)
      append(decipher.update(piece.subarray(0, length)))
    }
    // Legacy GCM has no tag to check, and `final` would fail for want of one: the update output is the plaintext.
    if (this.layout === 'mindspore-1.7' || this.suite.kind === 'cbc') {
      try {
        append(decipher.final())
      } catch (err) {
        if (err instanceof ShardscopeError) throw err
        throw decryptFailed(this.name, this.suite.mode, this.layout)
      }
    }
    if (written !== plain.length) throw decryptFailed(this.name, this.suite.mode, this.layout)
    return plain
  }

  private decipherFor(block: EncryptedBlock): Decipher {
    if (this.suite.kind === 'cbc') return createDecipheriv(this.suite.algorithm, this.key, block.iv)
    const decipher = createDecipheriv(this.suite.algorithm, this.key, block.iv, {
      authTagLength: GCM_TAG_BYTES
    })
    if (block.tag) decipher.setAuthTag(block.tag)
    return decipher
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true)
}

function badKeyLength(mode: CipherMode, length: number, allowed: string): ShardscopeError {
  return new ShardscopeError(
    'BAD_INPUT',
    `An ${mode} key must be ${allowed} bytes long; the given key has ${length} bytes.`
  )
}

function decryptFailed(file: string, mode: CipherMode, layout: EncryptionLayout): ShardscopeError {
  const legacyHint =
    layout === 'mindspore-1.3' && mode !== 'SM4-CBC'
      ? ` Files written by MindSpore 1.3–1.6 do not record whether AES-GCM or AES-CBC was used; if the key is right, try the other AES mode.`
      : ''
  return new ShardscopeError(
    'DECRYPT_FAILED',
    `${file} could not be decrypted with the given key (${mode}): the key is wrong or the file was altered.${legacyHint}`,
    { file }
  )
}

function wrongMode(file: string, found: string, requested: CipherMode): ShardscopeError {
  return new ShardscopeError(
    'DECRYPT_FAILED',
    `${file} was encrypted with ${found}, not ${requested}; open it with that mode.`,
    { file }
  )
}

function notEncrypted(file: string, head: Uint8Array): ShardscopeError {
  if (head[0] === 0x0a) {
    return new ShardscopeError(
      'BAD_INPUT',
      `${file} is not encrypted (it starts like a plain checkpoint record); open it without a key.`,
      { file }
    )
  }
  return new ShardscopeError(
    'UNKNOWN_FORMAT',
    `${file} is not an encrypted MindSpore checkpoint: it starts with ${hexBytes(head.subarray(0, 4))} where a block magic (d8/d9/da 5e 3a 7f) is expected.`,
    { file }
  )
}

function badMagic(file: string, number: number, start: number, header: Uint8Array): ShardscopeError {
  // MindSpore appends its CRC trailer after the ciphertext when asked for both, and then cannot read the file back.
  if (new TextDecoder().decode(header.subarray(0, 7)) === 'crc_num') {
    return new ShardscopeError(
      'CORRUPT',
      `${file} ends with a CRC trailer after its encrypted blocks (written by MindSpore when crc_check and enc_key are both set); MindSpore cannot load such a file either.`,
      { file }
    )
  }
  return damagedBlock(
    file,
    number,
    start,
    `it starts with ${hexBytes(header.subarray(0, 4))}, not the block magic`
  )
}

function damagedBlock(file: string, number: number, start: number, reason: string): ShardscopeError {
  return new ShardscopeError(
    'CORRUPT',
    `${file} is damaged: encrypted block ${number} at offset ${start} cannot be read: ${reason}.`,
    { file }
  )
}

function truncatedBlock(source: ByteSource, number: number, start: number, needed: number): ShardscopeError {
  return new ShardscopeError(
    'TRUNCATED',
    `${source.name} is truncated: encrypted block ${number} at offset ${start} needs ${needed} bytes, but only ${source.size - start} remain.`,
    { file: source.name }
  )
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
}
