import type { ByteSource } from './byte-source'
import { crc32Combine, crc32OfRange, crc32Update } from './crc32'

/** A byte range of the file whose CRC-32 is wanted, `[start, end)`. */
export interface CrcSegment {
  start: number
  end: number
}

interface Piece {
  start: number
  end: number
  crc: number
}

interface Tracked extends CrcSegment {
  pieces: Piece[]
  /** Too many scattered reads to keep track of: the segment is checksummed by reading it whole instead. */
  abandoned: boolean
}

// Reads arrive mostly in ascending order and adjacent pieces merge at once, so a segment rarely holds more than a
// handful; a pathological pattern (millions of disjoint short runs) falls back to a second, sequential read.
const MAX_PIECES = 4096

/**
 * A ByteSource that checksums the bytes that pass through it, so that a file the run reads anyway gets its CRC-32
 * checked without a second read: every read is clipped to the segments, the parts not seen before are
 * checksummed from the caller's buffer, and pieces are joined with `crc32Combine` as they become adjacent. At the
 * end only the bytes never read (record headers, typically) are read to complete each segment's CRC.
 */
export class CrcTrackingSource implements ByteSource {
  private readonly segments: Tracked[]

  constructor(
    private readonly inner: ByteSource,
    segments: readonly CrcSegment[]
  ) {
    this.segments = segments
      .map((s) => ({ start: s.start, end: s.end, pieces: [], abandoned: false }))
      .sort((a, b) => a.start - b.start)
  }

  get name(): string {
    return this.inner.name
  }

  get size(): number {
    return this.inner.size
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    await this.inner.readInto(target, offset, length, position)
    const end = position + length
    for (const segment of this.segments) {
      if (segment.start >= end) break
      if (segment.end <= position || segment.abandoned) continue
      const from = Math.max(position, segment.start)
      const to = Math.min(end, segment.end)
      record(segment, from, to, target.subarray(offset + from - position, offset + to - position))
    }
  }

  /** Bytes of the segments that no read has covered yet. */
  unreadBytes(): number {
    let unread = 0
    for (const s of this.segments)
      unread += s.abandoned
        ? s.end - s.start
        : s.end - s.start - s.pieces.reduce((n, p) => n + p.end - p.start, 0)
    return unread
  }

  /** The CRC-32 of every segment, in the order given; bytes not read so far are read now, in bounded chunks. */
  async segmentCrcs(segments: readonly CrcSegment[]): Promise<number[]> {
    const crcs: number[] = []
    for (const wanted of segments) {
      const segment = this.segments.find((s) => s.start === wanted.start && s.end === wanted.end)!
      if (segment.abandoned) {
        crcs.push(await crc32OfRange(this.inner, segment.start, segment.end))
        continue
      }
      let crc = 0
      let cursor = segment.start
      for (const piece of [...segment.pieces, { start: segment.end, end: segment.end, crc: 0 }]) {
        if (piece.start > cursor)
          crc = crc32Combine(crc, await crc32OfRange(this.inner, cursor, piece.start), piece.start - cursor)
        crc = crc32Combine(crc, piece.crc, piece.end - piece.start)
        cursor = piece.end
      }
      crcs.push(crc)
    }
    return crcs
  }

  async close(): Promise<void> {
    await this.inner.close()
  }
}

/** Adds `[from, to)` (its bytes in `data`) to a segment's disjoint, sorted pieces, merging adjacent ones. */
function record(segment: Tracked, from: number, to: number, data: Uint8Array): void {
  const pieces = segment.pieces
  let first = lowerBound(pieces, from)
  // Pieces that overlap or touch [from, to) are replaced by their union with the new bytes.
  if (first > 0 && pieces[first - 1]!.end === from) first--
  let last = first
  const merged: Piece[] = []
  let cursor = from
  while (last < pieces.length && pieces[last]!.start <= to) {
    const piece = pieces[last]!
    if (piece.start > cursor) merged.push(pieceOf(cursor, piece.start, from, data))
    merged.push(piece)
    cursor = Math.max(cursor, piece.end)
    last++
  }
  if (cursor < to) merged.push(pieceOf(cursor, to, from, data))
  merged.sort((a, b) => a.start - b.start)
  const joined: Piece[] = []
  for (const piece of merged) {
    const previous = joined[joined.length - 1]
    if (previous && previous.end === piece.start)
      joined[joined.length - 1] = {
        start: previous.start,
        end: piece.end,
        crc: crc32Combine(previous.crc, piece.crc, piece.end - piece.start)
      }
    else joined.push(piece)
  }
  pieces.splice(first, last - first, ...joined)
  if (pieces.length > MAX_PIECES) {
    segment.abandoned = true
    segment.pieces = []
  }
}

function pieceOf(start: number, end: number, dataStart: number, data: Uint8Array): Piece {
  return { start, end, crc: crc32Update(data.subarray(start - dataStart, end - dataStart)) }
}

/** Index of the first piece that ends after `position`. */
function lowerBound(pieces: Piece[], position: number): number {
  let low = 0
  let high = pieces.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (pieces[mid]!.end <= position) low = mid + 1
    else high = mid
  }
  return low
}
