import { ShardscopeError } from '../errors'

/**
 * Positional, read-only access to bytes: a local file today, a decrypted view or a remote file later. Nothing in
 * the engine reads a whole checkpoint; it asks a ByteSource for the runs it needs.
 */
export interface ByteSource {
  /** What to call this source in messages (usually the file path). */
  readonly name: string
  readonly size: number
  /**
   * The descriptor of a plain local file, whose bytes may also be read by descriptor (native box reads, kernel
   * copies). Absent for sources that transform or watch their bytes (decryption, CRC tracking): everything then
   * goes through `readInto`.
   */
  readonly fd?: number
  /** Fills `target[offset, offset+length)` with the bytes at `position`; fails if the source ends first. */
  readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void>
  close(): Promise<void>
}

export async function readBytes(source: ByteSource, length: number, position: number): Promise<Uint8Array> {
  const out = new Uint8Array(length)
  await source.readInto(out, 0, length, position)
  return out
}

export function truncatedError(source: ByteSource, position: number, length: number): ShardscopeError {
  return new ShardscopeError(
    'TRUNCATED',
    `${source.name} is truncated: expected ${length} bytes at offset ${position}, but the file is ${source.size} bytes long.`,
    { file: source.name }
  )
}

/** An in-memory ByteSource, for small decoded buffers and tests. */
export class MemorySource implements ByteSource {
  readonly size: number
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array
  ) {
    this.size = bytes.length
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    if (position < 0 || position + length > this.size) throw truncatedError(this, position, length)
    target.set(this.bytes.subarray(position, position + length), offset)
  }

  async close(): Promise<void> {}
}
