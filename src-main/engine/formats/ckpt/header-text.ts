const textDecoder = new TextDecoder('utf-8', { fatal: false })

// Enough for the names of a few models of a hundred thousand parameters; past it the cache starts over.
const MAX_CACHED_BYTES = 32 * 1024 * 1024

interface Decoded {
  bytes: Uint8Array
  text: string
}

/**
 * Decodes the short UTF-8 strings of record headers (tags, dtypes) once per distinct byte sequence, exactly as
 * `TextDecoder` does (invalid bytes become U+FFFD). The rank files of one pipeline stage hold the same names in
 * the same order, so each file's names are first compared with the previous file's at the same position (one
 * pass over the bytes), then looked up by hash; a thread indexing a folder keeps one string per name.
 */
export class HeaderText {
  private readonly byHash = new Map<number, Decoded[]>()
  private cachedBytes = 0
  private previous: Decoded[] = []
  private readonly dtypes: Decoded[] = []

  /** The names of one file, in record order; `finish` offers them as the guess for the next file. */
  sequence(): HeaderNames {
    const guesses = this.previous
    const seen: Decoded[] = []
    return {
      name: (bytes, start, length) => {
        const guess = guesses[seen.length]
        const found =
          guess && sameBytes(guess.bytes, bytes, start, length) ? guess : this.lookup(bytes, start, length)
        seen.push(found)
        return found.text
      },
      finish: () => {
        if (seen.length > 0) this.previous = seen
      }
    }
  }

  /** A dtype name: a handful per checkpoint, compared one by one. */
  dtype(bytes: Uint8Array, start: number, length: number): string {
    for (const known of this.dtypes) if (sameBytes(known.bytes, bytes, start, length)) return known.text
    const decoded = this.lookup(bytes, start, length)
    if (this.dtypes.length < 32) this.dtypes.push(decoded)
    return decoded.text
  }

  private lookup(bytes: Uint8Array, start: number, length: number): Decoded {
    let hash = 0x811c9dc5
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
    const bucket = this.byHash.get(hash)
    if (bucket) for (const entry of bucket) if (sameBytes(entry.bytes, bytes, start, length)) return entry
    const copy = bytes.slice(start, start + length)
    const entry = { bytes: copy, text: textDecoder.decode(copy) }
    if (this.cachedBytes + length > MAX_CACHED_BYTES) {
      this.byHash.clear()
      this.cachedBytes = 0
    }
    this.cachedBytes += length + 64
    const again = this.byHash.get(hash)
    if (again) again.push(entry)
    else this.byHash.set(hash, [entry])
    return entry
  }
}

export interface HeaderNames {
  name(bytes: Uint8Array, start: number, length: number): string
  finish(): void
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, length: number): boolean {
  if (known.length !== length) return false
  for (let i = 0; i < length; i++) if (known[i] !== bytes[start + i]) return false
  return true
}

/** One per thread: the indexes a thread builds share their strings. */
export const headerText = new HeaderText()
