import { AtomicFileSink, type ByteSink } from '../../src-main/engine/io/byte-sink'

/** An AtomicFileSink that calls `beforeWrite` with the bytes written so far and the next ones, before writing them. */
export function hookedSink(
  beforeWrite: (written: number, data: Uint8Array) => void
): (path: string) => Promise<ByteSink> {
  return async (path) => {
    const real = await AtomicFileSink.create(path)
    let written = 0
    return {
      name: real.name,
      get position() {
        return real.position
      },
      async write(data) {
        beforeWrite(written, data)
        written += data.length
        await real.write(data)
      },
      commit: () => real.commit(),
      abort: () => real.abort()
    }
  }
}
