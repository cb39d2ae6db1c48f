import { ShardscopeError } from '../errors'
import type { CopyBoxArgs } from '../exec/kernels'
import { loadAddon } from '../exec/native-addon'
import type { ByteRun } from '../formats/tensor-entry'
import { ioError } from './io-error'

/** How the native reader reads runs: `auto` picks per run; the others force one way (tests, benchmarks). */
export type BoxReadMode = 'auto' | 'pread' | 'cover' | 'map'

/**
 * A box of a tensor stored in a file, and where in a C-order destination buffer it lands: copyBox's arguments,
 * with the source given as its payload's byte runs in the file instead of bytes in memory.
 */
export interface BoxReadArgs extends Omit<CopyBoxArgs, 'src' | 'srcBase'> {
  /** The tensor's payload in the file: its byte runs, in order. */
  chunks: readonly ByteRun[]
  mode?: BoxReadMode
}

/** What a read did: bytes placed, system calls, bytes read as covering ranges, bytes of file mapped. */
export interface BoxReadStats {
  bytes: number
  calls: number
  coverBytes: number
  mappedBytes: number
}

interface NativeOutcome extends BoxReadStats {
  code?: string
  message?: string
}

type NativeReadBox = (
  args: Omit<BoxReadArgs, 'chunks'> & { fd: number; chunks: Float64Array }
) => Promise<NativeOutcome>
type NativeAdvise = (fd: number, ranges: Float64Array) => Promise<void>

/** An open local file the native reader may read by descriptor, and what to call it in messages. */
export interface DescribedFile {
  readonly fd: number
  readonly name: string
  readonly size: number
}

/** Reads boxes of tensors from files straight into destination buffers (see native/src/read_box.h). */
export interface BoxReader {
  readBox(file: DescribedFile, args: BoxReadArgs): Promise<BoxReadStats>
  /** Asks the kernel to start reading these byte ranges now; never fails. */
  adviseWillNeed(file: DescribedFile, ranges: readonly ByteRun[]): void
}

let loaded: BoxReader | { error: string } | undefined

/**
 * The native box reader, or why there is none (the addon is not built, or SHARDSCOPE_KERNELS=js asks for
 * JavaScript only); the executor then reads through ByteSource.readInto and copies with copyBox.
 */
export function loadBoxReader(): BoxReader | { error: string } {
  if (loaded) return loaded
  if (process.env.SHARDSCOPE_KERNELS === 'js') return (loaded = { error: 'SHARDSCOPE_KERNELS=js' })
  const addon = loadAddon(['readBox', 'adviseWillNeed'])
  if ('error' in addon) return (loaded = addon)
  const readBox = addon.exports.readBox as NativeReadBox
  const advise = addon.exports.adviseWillNeed as NativeAdvise
  loaded = {
    async readBox(file, args) {
      const outcome = await readBox({ ...args, fd: file.fd, chunks: runsAsPairs(args.chunks) })
      if (outcome.code === undefined) return outcome
      if (outcome.code === 'EOF' || outcome.code === 'EBUS')
        throw new ShardscopeError(
          'TRUNCATED',
          `${file.name} is truncated: it ended while a tensor was read from it (it was ${file.size} bytes long when opened).`,
          { file: file.name }
        )
      throw ioError(Object.assign(new Error(outcome.message), { code: outcome.code }), file.name, 'read')
    },
    adviseWillNeed(file, ranges) {
      if (ranges.length > 0) void advise(file.fd, runsAsPairs(ranges)).catch(() => undefined)
    }
  }
  return loaded
}

function runsAsPairs(runs: readonly ByteRun[]): Float64Array {
  const pairs = new Float64Array(runs.length * 2)
  runs.forEach((run, i) => {
    pairs[2 * i] = run.offset
    pairs[2 * i + 1] = run.length
  })
  return pairs
}
