import { ckptFileSize, dimsForShape } from '../formats/ckpt/ckpt-writer'
import { dtypeByName } from '../formats/dtypes'
import { planSafetensorsLayout } from '../formats/safetensors/safetensors-writer'
import { elementCount } from '../formats/tensor-entry'
import { READ_BUFFER_BYTES, SLAB_BYTES } from '../exec/limits'
import { ShardGeometry } from '../layout/shard-geometry'
import { outputDtype } from './output-dtype'
import type { CopyEntry, PlanOptions, StageRecipe } from './plan-types'

/** A tensor of an output: its name, the dtype read, and the shape written. */
export interface WrittenTensor {
  name: string
  dtype: string
  shape: number[]
}

/**
 * The size of each destination rank's output and the buffer its executor needs. Every rank of a stage writes
 * the same resharded tensors (a layout's local shape does not depend on the rank), so those are sized once
 * per stage; only copies, whose stored shape depends on the source rank, can differ, and equal sets of copies
 * share their figure too.
 */
export class OutputSizes {
  private readonly known = new Map<StageRecipe, Map<string, { bytesWritten: number; peakBuffer: number }>>()
  private readonly resharded = new Map<StageRecipe, WrittenTensor[]>()

  constructor(private readonly options: PlanOptions) {}

  of(recipe: StageRecipe, copies: WrittenTensor[]): { bytesWritten: number; peakBuffer: number } {
    let byCopies = this.known.get(recipe)
    if (!byCopies) this.known.set(recipe, (byCopies = new Map()))
    const key = copies.map((c) => `${c.dtype}[${c.shape.join(',')}]`).join(';')
    let found = byCopies.get(key)
    if (!found) {
      const tensors = [...this.reshardedOf(recipe), ...copies]
      found = {
        bytesWritten: outputSize(tensors, this.options),
        peakBuffer: peakBuffer(tensors, this.options)
      }
      byCopies.set(key, found)
    }
    return found
  }

  private reshardedOf(recipe: StageRecipe): WrittenTensor[] {
    let tensors = this.resharded.get(recipe)
    if (!tensors) {
      const shapes = recipe.classes.map((c) => new ShardGeometry(c.destination, c.fullShape).localShape)
      tensors = recipe.entries.flatMap((e) =>
        'class' in e ? [{ name: e.name, dtype: e.dtype, shape: shapes[e.class]! }] : []
      )
      this.resharded.set(recipe, tensors)
    }
    return tensors
  }
}

/** What the recipe says a copy reads from `rank`: the full tensor, or its source stage's stored slice. */
export function copyExpectation(
  entry: CopyEntry,
  rank: number,
  sourceStageDevices: number
): { dtype: string; shape: number[] } | undefined {
  if (!entry.stored) return { dtype: entry.dtype, shape: entry.fullShape }
  const shape = entry.stored[Math.floor(rank / sourceStageDevices)]
  return shape && { dtype: entry.dtype, shape }
}

function outputSize(tensors: WrittenTensor[], options: PlanOptions): number {
  const specs = tensors.map((t) => {
    const dtype = outputDtype(t.dtype, options.dtype)
    return {
      name: t.name,
      dtype,
      shape: t.shape,
      dims: dimsForShape(t.shape, dtype),
      byteLength: elementCount(t.shape) * dtypeByName(dtype)!.bytes
    }
  })
  return options.format === 'safetensors'
    ? planSafetensorsLayout(specs).fileSize
    : ckptFileSize(specs, { crc: options.crc })
}

/** Two slabs of the largest tensor (one filling while one is written), their cast copies, and the read buffer. */
function peakBuffer(tensors: WrittenTensor[], options: PlanOptions): number {
  let largest = 0
  for (const t of tensors) {
    const out = outputDtype(t.dtype, options.dtype)
    const inBytes = dtypeByName(t.dtype)!.bytes
    const outBytes = dtypeByName(out)!.bytes
    const slab = Math.min(
      elementCount(t.shape) * inBytes,
      Math.floor((SLAB_BYTES * inBytes) / Math.max(inBytes, outBytes))
    )
    const cast = out === t.dtype ? 0 : (slab / inBytes) * outBytes
    largest = Math.max(largest, 2 * (slab + cast))
  }
  return largest + (tensors.length > 0 ? READ_BUFFER_BYTES : 0)
}
