import type { TensorEntry } from './tensor-entry'

/**
 * A file's tensors in file order as parallel typed arrays, filled tensor by tensor with no object per tensor,
 * and reused file after file. Names are numbers given by whoever fills it (see `NameIds`); dtypes are the
 * canonical names of `TensorEntry.dtype`. Tensor i's shape is `dims[shapeStart[i] … shapeStart[i + 1])`, its
 * chunks `chunkStart[i] … chunkStart[i + 1]` of `offsets` and `lengths`.
 */
export class TensorTable {
  count = 0
  names = new Int32Array(1024)
  dtypes: string[] = []
  shapeStart = new Int32Array(1025)
  dims = new Float64Array(2048)
  chunkStart = new Int32Array(1025)
  offsets = new Float64Array(1024)
  lengths = new Float64Array(1024)
  private dimEnd = 0
  private chunkEnd = 0

  reset(): void {
    this.count = 0
    this.dimEnd = 0
    this.chunkEnd = 0
  }

  get dimCount(): number {
    return this.dimEnd
  }

  get chunkCount(): number {
    return this.chunkEnd
  }

  /** Starts tensor `count`; its chunks and dims follow, then `close`. */
  open(name: number, dtype: string): void {
    if (this.count + 1 >= this.names.length) {
      this.names = grown(this.names, Int32Array)
      this.shapeStart = grown(this.shapeStart, Int32Array)
      this.chunkStart = grown(this.chunkStart, Int32Array)
    }
    this.names[this.count] = name
    this.dtypes[this.count] = dtype
  }

  chunk(offset: number, length: number): void {
    if (this.chunkEnd === this.offsets.length) {
      this.offsets = grown(this.offsets, Float64Array)
      this.lengths = grown(this.lengths, Float64Array)
    }
    this.offsets[this.chunkEnd] = offset
    this.lengths[this.chunkEnd++] = length
  }

  dim(value: number): void {
    if (this.dimEnd === this.dims.length) this.dims = grown(this.dims, Float64Array)
    this.dims[this.dimEnd++] = value
  }

  close(): void {
    this.count++
    this.shapeStart[this.count] = this.dimEnd
    this.chunkStart[this.count] = this.chunkEnd
  }

  /** The table of some `TensorEntry`s (safetensors, or a `.ckpt` read the careful way). */
  fill(tensors: readonly TensorEntry[], nameId: (name: string) => number): void {
    this.reset()
    for (const t of tensors) {
      this.open(nameId(t.name), t.dtype)
      for (const c of t.chunks) this.chunk(c.offset, c.length)
      for (const d of t.shape) this.dim(d)
      this.close()
    }
  }
}

function grown<T extends Int32Array | Float64Array>(array: T, Type: { new (length: number): T }): T {
  const bigger = new Type(array.length * 2)
  bigger.set(array)
  return bigger
}
