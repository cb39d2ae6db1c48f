/**
 * The slice a rank holds, computed element by element straight from the spec's words (§4.3, §4.5), sharing no
 * code with the engine: the reference the property tests compare the engine's conversions against.
 */
export interface SliceSpec {
  devMatrix: number[]
  /** MindSpore tensor map: per dimension -1, an axis counted from the right, or a list of them. */
  tensorMap: (number | number[])[]
  /** Optimizer shards (1 = none). */
  optShards: number
}

export function directSlice(
  full: Uint8Array,
  shape: number[],
  elementBytes: number,
  spec: SliceSpec,
  rank: number
) {
  const d = spec.devMatrix
  const coords: number[] = []
  let rest = rank
  for (let a = d.length - 1; a >= 0; a--) {
    coords[a] = rest % d[a]!
    rest = Math.floor(rest / d[a]!)
  }
  const used = new Set<number>()
  const lo: number[] = []
  const len: number[] = []
  shape.forEach((size, i) => {
    const entry = spec.tensorMap[i]!
    const axes = (Array.isArray(entry) ? entry : [entry]).filter((m) => m >= 0).map((m) => d.length - 1 - m)
    let parts = 1
    let index = 0
    for (const a of axes) {
      used.add(a)
      parts *= d[a]!
      index = index * d[a]! + coords[a]!
    }
    len.push(size / parts)
    lo.push(index * (size / parts))
  })
  if (spec.optShards > 1) {
    let p = 0
    for (let a = 0; a < d.length; a++) if (d[a]! > 1 && !used.has(a)) p = p * d[a]! + coords[a]!
    len[0] = len[0]! / spec.optShards
    lo[0] = lo[0]! + (p % spec.optShards) * len[0]!
  }
  const count = len.reduce((x, y) => x * y, 1)
  const out = new Uint8Array(count * elementBytes)
  const index = new Array<number>(shape.length).fill(0)
  for (let n = 0; n < count; n++) {
    let flat = 0
    for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + lo[i]! + index[i]!
    out.set(full.subarray(flat * elementBytes, (flat + 1) * elementBytes), n * elementBytes)
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++index[i]! < len[i]!) break
      index[i] = 0
    }
  }
  return { shape: len, bytes: out }
}
