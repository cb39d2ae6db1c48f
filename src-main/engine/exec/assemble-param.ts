import { dtypeByName } from '../formats/dtypes'
import { elementCount, readTensorBytes, type TensorEntry } from '../formats/tensor-entry'
import type { ByteSource } from '../io/byte-source'
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

function grow(buffers: AssemblyBuffers, which: keyof AssemblyBuffers, bytes: number): Uint8Array {
  if (buffers[which].length < bytes) buffers[which] = new Uint8Array(bytes)
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
}

// Short runs are syscall-bound: read the whole covering range even if much of it is skipped.
const SHORT_RUN_BYTES = 16 * 1024
const SMALL_READ_BYTES = 256 * 1024

/**
 * Builds one destination tensor slab by slab (each at most SLAB_BYTES, a box in C order), filling each slab from
 * the source regions the plan names with positional reads, casting if asked, and handing it to `write`.
 */
export async function assembleParam(param: ParamPlan, context: AssemblyContext): Promise<void> {
  const e = dtypeByName(param.dtype)!.bytes
  const shape = param.shape
  if (elementCount(shape) === 0) return
  const outBytes = dtypeByName(param.outDtype)!.bytes
  const limit = Math.floor((SLAB_BYTES * e) / Math.max(e, outBytes))
  let writing: Promise<void> = Promise.resolve()
  let turn = 0
  try {
    for (const slab of slabs(shape, e, limit)) {
      context.checkpoint()
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
      turn = 1 - turn
    }
  } finally {
    await writing.catch(() => undefined)
  }
  await writing
}

/** Fills one slab from every source region that overlaps it. */
async function fillSlab(
  param: ParamPlan,
  slab: Box,
  buffer: Uint8Array,
  context: AssemblyContext,
  e: number
): Promise<void> {
  const shape = param.shape
  const base = flatIndex(slab.offset, shape)
  for (const read of param.reads) {
    const part = intersectBoxes({ offset: read.to, extent: read.extent }, slab)
    if (!part) continue
    const srcStart = part.offset.map((o, i) => read.from[i]! + o - read.to[i]!)
    if (isContiguous(read.shape, part.extent) && isContiguous(shape, part.extent)) {
      // Contiguous on both sides (whole rows, whole tensors): read straight into place, no copy.
      const bytes = elementCount(part.extent) * e
      const at = (flatIndex(part.offset, shape) - base) * e
      await readTensorBytes(
        context.sources[read.source]!,
        tensorOf(read),
        flatIndex(srcStart, read.shape) * e,
        bytes,
        buffer,
        at
      )
      continue
    }
    await readRegion(context, read, srcStart, part.extent, e, (chunk, chunkBase, start, extent) => {
      context.kernels.copyBox({
        src: chunk,
        srcShape: read.shape,
        srcBase: chunkBase,
        srcStart: start,
        dst: buffer,
        dstShape: shape,
        dstBase: base,
        dstStart: start.map((s, i) => s - read.from[i]! + read.to[i]!),
        extent,
        elementBytes: e
      })
    })
  }
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
