import type { ByteSource } from './byte-source'

const DEFAULT_WINDOW = 64 * 1024

/**
 * Serves small reads (record headers, varints) from a cached window of the source, so that scanning a file of
 * many small records costs one positional read per window rather than one per field.
 */
export class WindowReader {
  private buffer: Uint8Array = new Uint8Array(0)
  private windowStart = 0
  private windowLength = 0

  /** `buffer`, if given, is used (and grown) instead of a new one: a caller reading file after file reuses it. */
  constructor(
    readonly source: ByteSource,
    private readonly windowSize = DEFAULT_WINDOW,
    buffer?: Uint8Array
  ) {
    if (buffer) this.buffer = buffer
  }

  /**
   * Where `position` lies in `buffered` (valid up to `bufferedEnd`), or -1 when the window does not hold it:
   * lets a parser walk many small records synchronously and read only at the window's end. Valid until the
   * next `view`.
   */
  locate(position: number): number {
    const offsetInWindow = position - this.windowStart
    return offsetInWindow >= 0 && offsetInWindow < this.windowLength ? offsetInWindow : -1
  }

  get buffered(): Uint8Array {
    return this.buffer
  }

  get bufferedEnd(): number {
    return this.windowLength
  }

  /**
   * Returns a view of `min(length, bytes left in the source)` bytes at `position`. The view is valid until the
   * next call.
   */
  async view(position: number, length: number): Promise<Uint8Array> {
    const available = Math.max(0, Math.min(length, this.source.size - position))
    const offsetInWindow = position - this.windowStart
    if (offsetInWindow >= 0 && offsetInWindow + available <= this.windowLength) {
      return this.buffer.subarray(offsetInWindow, offsetInWindow + available)
    }
    await this.fill(position, Math.max(this.windowSize, available))
    return this.buffer.subarray(0, available)
  }

  /**
   * Makes the window `min(length, bytes left)` bytes at `position`, whatever the window size: a parser that
   * knows the next record lies far ahead reads just its header, not a whole window of payload.
   */
  async fill(position: number, length: number): Promise<void> {
    const size = Math.max(0, Math.min(length, this.source.size - position))
    if (this.buffer.length < size) this.buffer = new Uint8Array(size)
    this.windowLength = 0
    await this.source.readInto(this.buffer, 0, size, position)
    this.windowStart = position
    this.windowLength = size
  }
}
