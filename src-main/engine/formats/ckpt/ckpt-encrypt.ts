import { createCipheriv, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ShardscopeError } from '../../errors'
import { ioError } from '../../io/io-error'
import type { ByteSink, SinkResult } from '../../io/byte-sink'
import { CIPHER_MAGIC, type CipherMode } from './cipher-modes'
import {
  BLOCK_LENGTH_OVERHEAD,
  cipherSuite,
  ENCRYPTION_IV_BYTES,
  GCM_TAG_BYTES,
  type CipherSuite
} from './ckpt-decrypt'

/** MindSpore 1.7+ encrypts the plaintext in 64 MiB blocks (`ENCRYPT_BLOCK_SIZE`, spec §1.10). */
export const MINDSPORE_ENCRYPT_BLOCK_BYTES = 64 * 1024 * 1024

export interface EncryptingSinkOptions {
  /** Plaintext bytes per encrypted block; MindSpore's 64 MiB unless a test wants many small blocks. */
  blockBytes?: number
}

/**
 * Encrypts what is written to it the way MindSpore 1.7+ does and passes the blocks on to `inner`. Memory is one
 * plaintext block plus its ciphertext while it is being encrypted: GCM's tag precedes the ciphertext in the file, so
 * a block cannot be passed on before all of it is encrypted.
 */
export class EncryptingSink implements ByteSink {
  private readonly suite: CipherSuite
  private readonly blockBytes: number
  private block = new Uint8Array(0)
  private buffered = 0
  private accepted = 0

  constructor(
    private readonly inner: ByteSink,
    private readonly key: Uint8Array,
    mode: CipherMode,
    options: EncryptingSinkOptions = {}
  ) {
    this.suite = cipherSuite(mode, key)
    this.blockBytes = options.blockBytes ?? MINDSPORE_ENCRYPT_BLOCK_BYTES
    if (!Number.isSafeInteger(this.blockBytes) || this.blockBytes <= 0) {
      throw new RangeError('blockBytes must be a positive integer')
    }
  }

  get name(): string {
    return this.inner.name
  }

  /** Plaintext bytes accepted so far. */
  get position(): number {
    return this.accepted
  }

  async write(data: Uint8Array): Promise<void> {
    let offset = 0
    while (offset < data.length) {
      const take = Math.min(this.blockBytes - this.buffered, data.length - offset)
      this.reserve(this.buffered + take)
      this.block.set(data.subarray(offset, offset + take), this.buffered)
      this.buffered += take
      offset += take
      if (this.buffered === this.blockBytes) await this.flushBlock()
    }
    this.accepted += data.length
  }

  async commit(): Promise<SinkResult> {
    await this.flushBlock()
    this.block = new Uint8Array(0)
    return this.inner.commit()
  }

  async abort(): Promise<void> {
    this.block = new Uint8Array(0)
    this.buffered = 0
    await this.inner.abort()
  }

  /** Grows the block buffer geometrically, so a small checkpoint never allocates a whole 64 MiB block. */
  private reserve(length: number): void {
    if (length <= this.block.length) return
    const grown = new Uint8Array(
      Math.min(this.blockBytes, Math.max(length, 2 * this.block.length, 64 * 1024))
    )
    grown.set(this.block.subarray(0, this.buffered))
    this.block = grown
  }

  private async flushBlock(): Promise<void> {
    if (this.buffered === 0) return
    const plain = this.block.subarray(0, this.buffered)
    const iv = randomBytes(ENCRYPTION_IV_BYTES)
    let ciphertext: Buffer
    let tag: Uint8Array | undefined
    if (this.suite.kind === 'gcm') {
      const cipher = createCipheriv(this.suite.algorithm, this.key, iv, { authTagLength: GCM_TAG_BYTES })
      ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
      tag = cipher.getAuthTag()
    } else {
      const cipher = createCipheriv(this.suite.algorithm, this.key, iv)
      ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
    }
    this.buffered = 0
    await this.inner.write(encodeBlockHeader(this.suite.mode, iv, ciphertext.length, tag))
    await this.inner.write(ciphertext)
  }
}

/** `magic [+ tag] + L + iv_len + IV + C`, all integers 32-bit little-endian (spec §1.10, 1.7+ layout). */
export function encodeBlockHeader(
  mode: CipherMode,
  iv: Uint8Array,
  cipherLength: number,
  tag?: Uint8Array
): Uint8Array {
  const header = new Uint8Array(4 + (tag ? tag.length : 0) + 4 + BLOCK_LENGTH_OVERHEAD)
  const view = new DataView(header.buffer)
  let at = 0
  view.setUint32(at, CIPHER_MAGIC[mode], true)
  at += 4
  if (tag) {
    header.set(tag, at)
    at += tag.length
  }
  view.setUint32(at, BLOCK_LENGTH_OVERHEAD + cipherLength, true)
  view.setUint32(at + 4, iv.length, true)
  header.set(iv, at + 8)
  view.setUint32(at + 8 + iv.length, cipherLength, true)
  return header
}

const KEY_BYTE_LENGTHS = [16, 24, 32]

/**
 * Reads a key given on the command line: 32, 48 or 64 hex digits (optionally `0x`-prefixed), or `@path` for a
 * file holding the raw 16, 24 or 32 key bytes. Whether the length suits the cipher mode is checked where the key
 * is used.
 */
export function parseKeyArgument(text: string): Uint8Array {
  if (text.startsWith('@')) return readKeyFile(text.slice(1))
  const digits = text.trim().replace(/^0x/i, '')
  if (digits.length === 0) {
    throw new ShardscopeError(
      'BAD_INPUT',
      'The key is empty; give 32, 48 or 64 hex digits, or @path/to/keyfile.'
    )
  }
  if (!/^[0-9a-f]+$/i.test(digits)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      'The key is not hexadecimal; give 32, 48 or 64 hex digits (0-9, a-f), or @path/to/keyfile for a raw key.'
    )
  }
  if (!KEY_BYTE_LENGTHS.includes(digits.length / 2)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `The key has ${digits.length} hex digits; an AES or SM4 key is 32, 48 or 64 hex digits (16, 24 or 32 bytes).`
    )
  }
  return new Uint8Array(Buffer.from(digits, 'hex'))
}

function readKeyFile(path: string): Uint8Array {
  if (path.length === 0) {
    throw new ShardscopeError('BAD_INPUT', 'The key argument "@" names no file; write @path/to/keyfile.')
  }
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new ShardscopeError('BAD_INPUT', ioError(err, path, 'read the key file').message, { file: path })
  }
  if (!KEY_BYTE_LENGTHS.includes(bytes.length)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `The key file ${path} holds ${bytes.length} bytes; it must hold exactly the 16, 24 or 32 raw key bytes (a hex key goes on the command line without @).`,
      { file: path }
    )
  }
  return new Uint8Array(bytes)
}
