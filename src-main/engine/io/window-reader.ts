import type { ByteSource } from './byte-source'

const DEFAULT_WINDOW = 64 * 1024

/**
 * Serves small reads (record headers, varints) from a cached window of the source, so that scanning a file of
 * many small records costs one positional read per window rather than one per field.
 */
export class WindowReader {
  private buffer = new Uint8Array(0)
  private windowStart = 0
  private windowLength = 0

  constructor(
    readonly source: ByteSource,
    private readonly windowSize = DEFAULT_WINDOW
  ) {}

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
    const size = Math.min(Math.max(this.windowSize, available), this.source.size - position)
    if (this.buffer.length < size) this.buffer = new Uint8Array(size)
    await this.source.readInto(this.buffer, 0, size, position)
    this.windowStart = position
    this.windowLength = size
    return this.buffer.subarray(0, available)
  }
}
