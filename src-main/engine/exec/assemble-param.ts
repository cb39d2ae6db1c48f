import { dtypeByName } from '../formats/dtypes'
import { elementCount, readTensorBytes, type ByteRun, type TensorEntry } from '../formats/tensor-entry'
import type { BoxReader, DescribedFile } from '../io/box-read'
import type { ByteSource } from '../io/byte-source'
import type { OpenFile } from '../io/kernel-copy'
import { LocalFileSource } from '../io/local-file'
import { payloadRuns } from '../io/payload-runs'
import { intersectBoxes, type Box } from '../layout/box'
import { contiguousRuns, stridesOf } from '../plan/byte-runs'
import type { ParamPlan, TensorRead } from '../plan/plan-types'
import type { FloatDtype, Kernels } from './kernels'
import { READ_BUFFER_BYTES, SLAB_BYTES } from './limits'

/**
 * Buffers one destination rank reuses for every tensor. Two slabs (and two cast buffers) let one slab be written
 * while the next is read; their sizes bound the executor's memory.
 */
export interface AssemblyBuffers {
  slab0: Uint8Array
  slab1: Uint8Array
  cast0: Uint8Array
  cast1: Uint8Array
  read: Uint8Array
}

/** Buffers start empty and grow to what the tensors need, never past the limits: small jobs stay small. */
export function allocateBuffers(): AssemblyBuffers {
  const empty = () => new Uint8Array(0)
  return { slab0: empty(), slab1: empty(), cast0: empty(), cast1: empty(), read: empty() }
}

// Below this a buffer grows to what is asked; above it straight to its limit.
const SMALL_BUFFER_BYTES = 1024 * 1024

/**
 * Past SMALL_BUFFER_BYTES a buffer grows straight to its limit: growing in steps (8, 21, 32 MiB…) left each
 * outgrown buffer as garbage until the collector got to it, so peak RSS depended on when it ran.
 */
function grow(buffers: AssemblyBuffers, which: keyof AssemblyBuffers, bytes: number): Uint8Array {
  if (buffers[which].length < bytes) {
    const limit = which === 'read' ? READ_BUFFER_BYTES : SLAB_BYTES
    const size = bytes <= SMALL_BUFFER_BYTES ? bytes : Math.max(bytes, limit)
    buffers[which] = new Uint8Array(size)
  }
  return buffers[which].subarray(0, bytes)
}

export interface AssemblyContext {
  /** Open sources, indexed like `RankPlan.sources`. */
  sources: ByteSource[]
  kernels: Kernels
  buffers: AssemblyBuffers
  /** Receives the tensor's output bytes in order; may keep no reference after it resolves. */
  write(bytes: Uint8Array): Promise<void>
  /** Throws to stop between slabs (cancellation). */
  checkpoint(): void
  /** Output bytes produced so far for this tensor's slab. */
  progress(outputBytes: number): void
  /**
   * Reads boxes from plain local files straight into the slab (one copy, no read amplification); without it
   * every strided region goes through the read buffer and copyBox.
   */
  boxReader?: BoxReader
  /** Appends payload bytes of a whole tensor copied unchanged straight from its source file (kernel copies). */
  copier?: TensorCopier
  /**
   * Shared by the tensors of one output: with it a tensor returns while its last slab is still being written, so
   * the next tensor's first slab is read meanwhile. The caller awaits `last` before it ends the output.
   */
  writeBehind?: WriteBehind
}

/** The write still in flight after a tensor returned, and the slab it holds (the next tensor fills the other). */
export interface WriteBehind {
  last: Promise<void>
  turn: 0 | 1
}

export function newWriteBehind(): WriteBehind {
  return { last: Promise.resolve(), turn: 0 }
}

export interface TensorCopier {
  /** False when copying is no gain here (the kernel refused this output once): then bytes go through slabs. */
  usable(): boolean
  copy(source: OpenFile, runs: readonly ByteRun[]): Promise<void>
}

/**
 * Below this a tensor's bytes are coalesced with their neighbours' into one write and a kernel copy would not
 * pay. SHARDSCOPE_KERNEL_COPY_MIN_BYTES lowers it so tests can send small fixtures through kernel copies.
 */
function kernelCopyMinBytes(): number {
  const wanted = Number(process.env.SHARDSCOPE_KERNEL_COPY_MIN_BYTES)
  return Number.isSafeInteger(wanted) && wanted >= 0 ? wanted : 4 * 1024 * 1024
}

// Short runs are syscall-bound: read the whole covering range even if much of it is skipped.
const SHORT_RUN_BYTES = 16 * 1024
const SMALL_READ_BYTES = 256 * 1024

/**
 * Builds one destination tensor slab by slab (each at most SLAB_BYTES, a box in C order), filling each slab from
 * the source regions the plan names with positional reads, casting if asked, and handing it to `write`.
 */
export async function assembleParam(
  param: ParamPlan,
  context: AssemblyContext,
  next?: ParamPlan
): Promise<void> {
  const e = dtypeByName(param.dtype)!.bytes
  const shape = param.shape
  if (elementCount(shape) === 0) return
  const outBytes = dtypeByName(param.outDtype)!.bytes
  const limit = slabLimit(param)
  const whole = wholeCopy(param, context)
  const behind = context.writeBehind
  if (whole) {
    // The kernel copies at the output's end: every earlier write has to be done.
    if (behind) await behind.last
    return copyWhole(whole, context, elementCount(shape) * e)
  }
  let writing: Promise<void> = behind?.last ?? Promise.resolve()
  let turn: 0 | 1 = behind?.turn ?? 0
  let leaveWriting = false
  const all = slabs(shape, e, limit)
  let upcoming = all.next()
  const adviseAhead = advisor(param, context, next)
  for (let i = 1; i < ADVISE_SLABS_AHEAD; i++) adviseAhead()
  try {
    while (!upcoming.done) {
      const slab = upcoming.value
      upcoming = all.next()
      context.checkpoint()
      adviseAhead()
      const elements = elementCount(slab.extent)
      const buffer = grow(context.buffers, turn === 0 ? 'slab0' : 'slab1', elements * e)
      await fillSlab(param, slab, buffer, context, e)
      let output = buffer
      if (param.outDtype !== param.dtype) {
        output = grow(context.buffers, turn === 0 ? 'cast0' : 'cast1', elements * outBytes)
        context.kernels.castFloats(
          buffer,
          param.dtype as FloatDtype,
          output,
          param.outDtype as FloatDtype,
          elements
        )
      }
      // Writes stay in order; the previous slab's write overlapped with filling this one.
      await writing
      writing = context.write(output)
      // Marked handled now; a failure still surfaces at the next await of `writing`.
      writing.catch(() => undefined)
      context.progress(elements * outBytes)
      turn = turn === 0 ? 1 : 0
    }
    if (behind) {
      behind.last = writing
      behind.turn = turn
      leaveWriting = true
    }
  } finally {
    // On failure nothing may still write from our slabs once we return.
    if (!leaveWriting) await writing.catch(() => undefined)
  }
  if (!leaveWriting) await writing
}

/** The source file and payload runs of a tensor copied unchanged in whole, when a kernel copy applies. */
function wholeCopy(param: ParamPlan, context: AssemblyContext) {
  const read = param.reads.length === 1 ? param.reads[0]! : undefined
  if (!read || !context.copier?.usable() || param.dtype !== param.outDtype) return undefined
  const source = context.sources[read.source]
  const file = source instanceof LocalFileSource ? source.openFile : undefined
  const bytes = elementCount(param.shape) * dtypeByName(param.dtype)!.bytes
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((n, i) => n === b[i])
  if (
    !file ||
    bytes < kernelCopyMinBytes() ||
    !same(read.shape, param.shape) ||
    !same(read.extent, param.shape)
  )
    return undefined
  return { file, chunks: read.chunks }
}

/**
 * Bytes per kernel copy of a whole tensor: they take no memory of ours (the read-back buffer is fixed), so this
 * is not SLAB_BYTES; small enough for cancellation and progress to stay responsive.
 */
const WHOLE_COPY_STEP_BYTES = 32 * 1024 * 1024

/** Copies a whole tensor WHOLE_COPY_STEP_BYTES at a time, checking for cancellation between steps. */
async function copyWhole(
  whole: { file: OpenFile; chunks: readonly ByteRun[] },
  context: AssemblyContext,
  bytes: number
): Promise<void> {
  for (let done = 0; done < bytes;) {
    context.checkpoint()
    const take = Math.min(WHOLE_COPY_STEP_BYTES, bytes - done)
    await context.copier!.copy(whole.file, payloadRuns(whole.chunks, done, take))
    done += take
    context.progress(take)
  }
}

/** Elements of the source dtype per slab, so that a cast slab stays within SLAB_BYTES too. */
function slabLimit(param: ParamPlan): number {
  const e = dtypeByName(param.dtype)!.bytes
  return Math.floor((SLAB_BYTES * e) / Math.max(e, dtypeByName(param.outDtype)!.bytes))
}

/** The part of each read that lands in `slab`, with its start in the source tensor. */
function* partsOf(param: ParamPlan, slab: Box) {
  for (const read of param.reads) {
    const part = intersectBoxes({ offset: read.to, extent: read.extent }, slab)
    if (!part) continue
    yield { read, part, srcStart: part.offset.map((o, i) => read.from[i]! + o - read.to[i]!) }
  }
}

/**
 * Fills one slab from every source region that overlaps it. Regions of plain local files are read at once, in
 * parallel (several source files keep the disk and both cores busy); every read has ended, well or not, before
 * this returns, so no read still fills the slab or uses a file when the caller moves on or closes it.
 */
async function fillSlab(
  param: ParamPlan,
  slab: Box,
  buffer: Uint8Array,
  context: AssemblyContext,
  e: number
): Promise<void> {
  const shape = param.shape
  const base = flatIndex(slab.offset, shape)
  const reading: Promise<unknown>[] = []
  try {
    for (const { read, part, srcStart } of partsOf(param, slab)) {
      const source = context.sources[read.source]!
      const file = describedFile(source)
      if (isContiguous(read.shape, part.extent) && isContiguous(shape, part.extent)) {
        // Contiguous on both sides (whole rows, whole tensors): read straight into place, no copy.
        const bytes = elementCount(part.extent) * e
        const at = (flatIndex(part.offset, shape) - base) * e
        const done = readTensorBytes(
          source,
          tensorOf(read),
          flatIndex(srcStart, read.shape) * e,
          bytes,
          buffer,
          at
        )
        if (file) reading.push(done)
        else await done
        continue
      }
      if (file && context.boxReader) {
        reading.push(
          context.boxReader.readBox(file, {
            chunks: read.chunks,
            srcShape: read.shape,
            srcStart,
            dst: buffer,
            dstShape: shape,
            dstBase: base,
            dstStart: part.offset,
            extent: part.extent,
            elementBytes: e
          })
        )
        continue
      }
      await copyRegion(context, read, srcStart, part.extent, e, buffer, shape, base)
    }
  } finally {
    const settled = await Promise.allSettled(reading)
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    // eslint-disable-next-line no-unsafe-finally -- a failed read must surface, once every read has ended
    if (failed) throw failed.reason
  }
}

/** A source the native reader may read by descriptor. */
function describedFile(source: ByteSource): DescribedFile | undefined {
  return source.fd === undefined ? undefined : (source as DescribedFile)
}

/** Slabs whose source bytes the disk is asked for ahead of their reads: a few slabs' time to arrive. */
const ADVISE_SLABS_AHEAD = 3

/**
 * Each call asks the kernel for the next slab not yet advised (after the tensor's last, the next tensor's first),
 * so the disk works ADVISE_SLABS_AHEAD slabs ahead of the reads while slabs are read and written.
 */
function advisor(param: ParamPlan, context: AssemblyContext, next?: ParamPlan): () => void {
  if (!context.boxReader) return () => undefined
  const ahead = slabs(param.shape, dtypeByName(param.dtype)!.bytes, slabLimit(param))
  ahead.next()
  let nextAdvised = false
  return () => {
    const slab = ahead.next()
    if (!slab.done) return adviseSlab(param, slab.value, context)
    if (nextAdvised || !next || elementCount(next.shape) === 0) return
    nextAdvised = true
    adviseSlab(
      next,
      slabs(next.shape, dtypeByName(next.dtype)!.bytes, slabLimit(next)).next().value!,
      context
    )
  }
}

/** Asks the kernel to start reading what a slab will need from plain local files (cold caches). */
function adviseSlab(param: ParamPlan, slab: Box, context: AssemblyContext): void {
  const e = dtypeByName(param.dtype)!.bytes
  for (const { read, part, srcStart } of partsOf(param, slab)) {
    const file = describedFile(context.sources[read.source]!)
    if (!file) continue
    const first = flatIndex(srcStart, read.shape)
    const last = flatIndex(
      srcStart.map((s, i) => s + part.extent[i]! - 1),
      read.shape
    )
    const cover = (last - first + 1) * e
    // A sparse region would have the disk read mostly gaps: the reads themselves fetch what they need.
    if (elementCount(part.extent) * e * 2 < cover) continue
    context.boxReader!.adviseWillNeed(file, payloadRuns(read.chunks, first * e, cover))
  }
}

/** The JavaScript path: a region through the read buffer, then copyBox into the slab. */
async function copyRegion(
  context: AssemblyContext,
  read: TensorRead,
  srcStart: number[],
  extent: number[],
  e: number,
  buffer: Uint8Array,
  shape: readonly number[],
  base: number
): Promise<void> {
  await readRegion(context, read, srcStart, extent, e, (chunk, chunkBase, start, box) => {
    context.kernels.copyBox({
      src: chunk,
      srcShape: read.shape,
      srcBase: chunkBase,
      srcStart: start,
      dst: buffer,
      dstShape: shape,
      dstBase: base,
      dstStart: start.map((s, i) => s - read.from[i]! + read.to[i]!),
      extent: box,
      elementBytes: e
    })
  })
}

/** Boxes of whole trailing dimensions, grouped along one dimension, each at most SLAB_BYTES, in C order. */
export function* slabs(shape: readonly number[], elementBytes: number, limit = SLAB_BYTES): Generator<Box> {
  const ndim = shape.length
  let inner = 1
  let group = ndim
  while (group > 0 && inner * shape[group - 1]! * elementBytes <= limit) inner *= shape[--group]!
  if (group === 0) {
    yield { offset: shape.map(() => 0), extent: [...shape] }
    return
  }
  const axis = group - 1
  const step = Math.max(1, Math.floor(limit / (inner * elementBytes)))
  const outer = new Array<number>(axis).fill(0)
  for (;;) {
    for (let start = 0; start < shape[axis]!; start += step) {
      yield {
        offset: [...outer, start, ...new Array<number>(ndim - group).fill(0)],
        extent: [
          ...new Array<number>(axis).fill(1),
          Math.min(step, shape[axis]! - start),
          ...shape.slice(group)
        ]
      }
    }
    let dim = axis - 1
    while (dim >= 0 && ++outer[dim]! === shape[dim]) outer[dim--] = 0
    if (dim < 0) return
  }
}

type Consume = (chunk: Uint8Array, chunkBase: number, start: number[], extent: number[]) => void

/**
 * Reads a box of a source tensor through the read buffer: in one positional read when its covering byte range is
 * small or dense enough, otherwise split along its outermost splittable dimension until it is.
 */
async function readRegion(
  context: AssemblyContext,
  read: TensorRead,
  start: number[],
  extent: number[],
  e: number,
  consume: Consume
): Promise<void> {
  const first = flatIndex(start, read.shape)
  const last = flatIndex(
    start.map((s, i) => s + extent[i]! - 1),
    read.shape
  )
  const coverBytes = (last - first + 1) * e
  const usefulBytes = elementCount(extent) * e
  const { runBytes } = contiguousRuns(read.shape, extent, e)
  const fits = coverBytes <= READ_BUFFER_BYTES
  if (
    fits &&
    (coverBytes <= SMALL_READ_BYTES || runBytes < SHORT_RUN_BYTES || usefulBytes * 2 >= coverBytes)
  ) {
    const chunk = grow(context.buffers, 'read', coverBytes)
    await readTensorBytes(context.sources[read.source]!, tensorOf(read), first * e, coverBytes, chunk)
    consume(chunk, first, start, extent)
    return
  }
  const dim = extent.findIndex((length) => length > 1)
  const half = Math.ceil(extent[dim]! / 2)
  const head = [...extent]
  head[dim] = half
  const tail = [...extent]
  tail[dim] = extent[dim]! - half
  const tailStart = [...start]
  tailStart[dim] = start[dim]! + half
  await readRegion(context, read, start, head, e, consume)
  await readRegion(context, read, tailStart, tail, e, consume)
}

function tensorOf(read: TensorRead): TensorEntry {
  return {
    name: '',
    dtype: '',
    shape: read.shape,
    byteLength: read.chunks.reduce((s, c) => s + c.length, 0),
    chunks: read.chunks
  }
}

function flatIndex(index: readonly number[], shape: readonly number[]): number {
  const strides = stridesOf(shape)
  return index.reduce((sum, i, d) => sum + i * strides[d]!, 0)
}

/** Whether a box of this extent is one contiguous run in a C-order array of `shape`, wherever it starts. */
function isContiguous(shape: readonly number[], extent: readonly number[]): boolean {
  const first = extent.findIndex((length) => length > 1)
  if (first < 0) return true
  for (let i = first + 1; i < shape.length; i++) if (extent[i] !== shape[i]) return false
  return true
}
