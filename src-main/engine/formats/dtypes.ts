import { ShardscopeError } from '../errors'

/**
 * MindSpore tensor element types as they appear in `.ckpt` `tensor_type` strings (MindSpore's `str(dtype)`),
 * with their element sizes and safetensors names (spec §1.3, §2.2).
 */
export interface DtypeInfo {
  /** Canonical `.ckpt` spelling written by MindSpore 1.6+. */
  name: string
  /** Bytes per stored element; `str` is UTF-32, so 4 per character. */
  bytes: number
  /** safetensors dtype name, if MindSpore's safetensors reader understands it. */
  safetensors?: string
  /** Whether element values are floating point (the only ones we cast between). */
  float?: boolean
  /** Bytes without element structure (MindSpore 2.0-2.6's RNG state record); never sliced, only copied. */
  opaque?: boolean
}

const TABLE: DtypeInfo[] = [
  { name: 'Bool', bytes: 1, safetensors: 'BOOL' },
  { name: 'Int8', bytes: 1, safetensors: 'I8' },
  { name: 'UInt8', bytes: 1, safetensors: 'U8' },
  { name: 'Int16', bytes: 2, safetensors: 'I16' },
  { name: 'UInt16', bytes: 2, safetensors: 'U16' },
  { name: 'Int32', bytes: 4, safetensors: 'I32' },
  { name: 'UInt32', bytes: 4, safetensors: 'U32' },
  { name: 'Int64', bytes: 8, safetensors: 'I64' },
  { name: 'UInt64', bytes: 8, safetensors: 'U64' },
  { name: 'Float16', bytes: 2, safetensors: 'F16', float: true },
  { name: 'BFloat16', bytes: 2, safetensors: 'BF16', float: true },
  { name: 'Float32', bytes: 4, safetensors: 'F32', float: true },
  { name: 'Float64', bytes: 8, safetensors: 'F64', float: true },
  // Int4 (qint4x2) packs two 4-bit values per stored int8; dims describe the packed storage.
  { name: 'Int4', bytes: 1, safetensors: 'I8' },
  { name: 'Complex64', bytes: 8 },
  { name: 'Complex128', bytes: 16 },
  { name: 'Float8E4M3FN', bytes: 1 },
  { name: 'Float8E5M2', bytes: 1 },
  { name: 'HiFloat8', bytes: 1 },
  { name: 'str', bytes: 4 },
  { name: 'random_op', bytes: 1, opaque: true }
]

const BY_NAME = new Map<string, DtypeInfo>(TABLE.map((d) => [d.name, d]))
// MindSpore <= 1.5 spelled the unsigned types `Uint8` ... `Uint64`.
for (const bits of [8, 16, 32, 64]) BY_NAME.set(`Uint${bits}`, BY_NAME.get(`UInt${bits}`)!)

const BY_SAFETENSORS = new Map<string, DtypeInfo>(
  TABLE.filter((d) => d.safetensors && d.name !== 'Int4').map((d) => [d.safetensors!, d])
)

/** Looks a `.ckpt` tensor_type up; undefined for names MindSpore does not define (e.g. `random_op`). */
export function dtypeByName(name: string): DtypeInfo | undefined {
  return BY_NAME.get(name)
}

export function dtypeBySafetensorsName(name: string): DtypeInfo | undefined {
  return BY_SAFETENSORS.get(name)
}

export function requireDtype(name: string, subject: { file?: string; param?: string } = {}): DtypeInfo {
  const info = BY_NAME.get(name)
  if (!info) {
    const where = [subject.param && `parameter ${subject.param}`, subject.file && `in ${subject.file}`]
      .filter(Boolean)
      .join(' ')
    throw new ShardscopeError(
      'UNKNOWN_DTYPE',
      `Unknown tensor type "${name}"${where ? ` for ${where}` : ''}; known types are ${TABLE.map((d) => d.name).join(', ')}.`,
      subject
    )
  }
  return info
}
