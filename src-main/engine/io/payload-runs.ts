import type { ByteRun } from '../formats/tensor-entry'

/** The file byte runs holding `length` bytes of a payload stored in `chunks`, from payload byte `offset` on. */
export function payloadRuns(chunks: readonly ByteRun[], offset: number, length: number): ByteRun[] {
  const runs: ByteRun[] = []
  let chunkStart = 0
  for (const chunk of chunks) {
    const from = Math.max(offset, chunkStart)
    const to = Math.min(offset + length, chunkStart + chunk.length)
    if (from < to) runs.push({ offset: chunk.offset + from - chunkStart, length: to - from })
    chunkStart += chunk.length
    if (chunkStart >= offset + length) break
  }
  return runs
}
