import { ShardscopeError } from '../../errors'
import type { ByteSink, SinkResult } from '../../io/byte-sink'
import type { OpenFile } from '../../io/kernel-copy'
import { requireDtype } from '../dtypes'
import { elementCount, type ByteRun } from '../tensor-entry'
import { INT4_MARKER, LENGTH_PREFIX_BYTES, MAX_HEADER_BYTES, METADATA_KEY } from './safetensors-index'

export interface SafetensorsTensorSpec {
  name: string
  /** Canonical MindSpore dtype name (`Float32`, `BFloat16`, `Int4`, ...). */
  dtype: string
  shape: readonly number[]
  byteLength: number
}

export interface SafetensorsWriterOptions {
  /** Extra `__metadata__` entries; `format` defaults to `ms`, a `crc_num` here is dropped (see `crcNum`). */
  metadata?: Record<string, string>
  /** CRC-32 of the data as `computeSafetensorsCrc` defines it, stored as `crc_num`; only a fresh value belongs here. */
  crcNum?: number
}

export interface PlannedSafetensorsTensor {
  name: string
  dtype: string
  storedDtype: string
  shape: number[]
  byteLength: number
  /** Absolute file offset of the tensor's first byte. */
  offset: number
}

export interface SafetensorsLayout {
  /** Length prefix plus the space-padded JSON header: everything before the first tensor byte. */
  header: Uint8Array
  /** In file order, which is the order their bytes must be streamed in. */
  tensors: PlannedSafetensorsTensor[]
  metadata: Record<string, string>
  fileSize: number
}

/** Position of each stored dtype in the Hugging Face writer's `Dtype` enum; the writer sorts by it, descending. */
const HF_DTYPE_RANK: Record<string, number> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 3,
  U16: 4,
  F16: 5,
  BF16: 6,
  I32: 7,
  U32: 8,
  F32: 9,
  F64: 10,
  I64: 11,
  U64: 12
}

const HEADER_ALIGNMENT = 8
const encoder = new TextEncoder()

/**
 * Lays a file out as MindSpore's writer (the Hugging Face Rust writer) does: tensors by descending position in its
 * dtype enum — which groups them by falling element size, but orders F32 before U32 before I32 — then by name in
 * byte order; `__metadata__` first; header padded with spaces to a multiple of 8; data back to back.
 */
export function planSafetensorsLayout(
  specs: readonly SafetensorsTensorSpec[],
  options: SafetensorsWriterOptions = {},
  file = '<output>'
): SafetensorsLayout {
  const checked = specs.map((spec) => checkSpec(spec, file))
  const names = new Set<string>()
  for (const { name } of checked) {
    if (names.has(name)) {
      throw new ShardscopeError('BAD_INPUT', `Cannot write ${file}: tensor ${name} is given twice.`, {
        file,
        param: name
      })
    }
    names.add(name)
  }
  checked.sort(
    (a, b) =>
      HF_DTYPE_RANK[b.storedDtype]! - HF_DTYPE_RANK[a.storedDtype]! ||
      Buffer.compare(a.nameBytes, b.nameBytes)
  )
  const metadata = buildMetadata(checked, options, file)

  let dataOffset = 0
  const entries: string[] = [`${JSON.stringify(METADATA_KEY)}:${metadataJson(metadata)}`]
  for (const t of checked) {
    const end = dataOffset + t.byteLength
    entries.push(
      `${JSON.stringify(t.name)}:{"dtype":"${t.storedDtype}","shape":[${t.shape.join(',')}],"data_offsets":[${dataOffset},${end}]}`
    )
    dataOffset = end
  }
  const json = encoder.encode(`{${entries.join(',')}}`)
  const headerLength = Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT
  if (headerLength > MAX_HEADER_BYTES) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `Cannot write ${file}: its header would be ${headerLength} bytes, over MindSpore's limit of ${MAX_HEADER_BYTES}.`,
      { file }
    )
  }
  const header = new Uint8Array(LENGTH_PREFIX_BYTES + headerLength).fill(0x20 /* space */)
  new DataView(header.buffer).setBigUint64(0, BigInt(headerLength), true)
  header.set(json, LENGTH_PREFIX_BYTES)

  let offset = header.length
  const tensors = checked.map((t) => {
    const planned: PlannedSafetensorsTensor = {
      name: t.name,
      dtype: t.dtype,
      storedDtype: t.storedDtype,
      shape: t.shape,
      byteLength: t.byteLength,
      offset
    }
    offset += t.byteLength
    return planned
  })
  return { header, tensors, metadata: Object.fromEntries(metadata), fileSize: offset }
}

/**
 * Streams a safetensors file: the header goes out on `create`, then every tensor's bytes in `order`, in as many
 * `writeTensorData` calls as the caller likes. On any error the sink is left to the caller to `abort`.
 */
export class SafetensorsWriter {
  /** Tensor names in the order their bytes must arrive. */
  readonly order: readonly string[]
  private current = 0
  private writtenInCurrent = 0

  private constructor(
    private readonly sink: ByteSink,
    readonly layout: SafetensorsLayout
  ) {
    this.order = layout.tensors.map((t) => t.name)
    this.skipCompleteTensors()
  }

  static async create(
    sink: ByteSink,
    tensors: readonly SafetensorsTensorSpec[],
    options: SafetensorsWriterOptions = {}
  ): Promise<SafetensorsWriter> {
    const layout = planSafetensorsLayout(tensors, options, sink.name)
    await sink.write(layout.header)
    return new SafetensorsWriter(sink, layout)
  }

  /** The tensor whose bytes are expected next, or undefined once all have arrived. */
  get pendingTensor(): string | undefined {
    return this.layout.tensors[this.current]?.name
  }

  /** Appends bytes of the pending tensor; never more than it still expects. */
  async writeTensorData(data: Uint8Array): Promise<void> {
    if (data.length === 0) return
    this.expect(data.length)
    await this.sink.write(data)
    this.writtenInCurrent += data.length
    this.skipCompleteTensors()
  }

  /** Like writeTensorData, with the bytes copied from `runs` of an open file (see ByteSink.copyFrom). */
  async copyTensorData(source: OpenFile, runs: readonly ByteRun[]): Promise<void> {
    const length = runs.reduce((sum, run) => sum + run.length, 0)
    if (length === 0) return
    if (!this.sink.copyFrom) throw new Error(`${this.sink.name} cannot copy from files`)
    this.expect(length)
    await this.sink.copyFrom(source, runs)
    this.writtenInCurrent += length
    this.skipCompleteTensors()
  }

  /** Refuses more bytes than the pending tensor still expects. */
  private expect(length: number): void {
    const tensor = this.layout.tensors[this.current]
    if (!tensor) {
      throw new ShardscopeError(
        'SIZE_MISMATCH',
        `Cannot write ${length} more bytes to ${this.sink.name}: every tensor already has all its bytes.`,
        { file: this.sink.name }
      )
    }
    const remaining = tensor.byteLength - this.writtenInCurrent
    if (length > remaining) {
      throw new ShardscopeError(
        'SIZE_MISMATCH',
        `Cannot write ${length} bytes of tensor ${tensor.name} to ${this.sink.name}: it is ${tensor.byteLength} bytes long and only ${remaining} are still expected.`,
        { file: this.sink.name, param: tensor.name }
      )
    }
  }

  /** Writes one whole tensor, checking that it is the one due next and has exactly its announced length. */
  async writeTensor(name: string, data: Uint8Array): Promise<void> {
    const tensor = this.layout.tensors.find((t) => t.name === name)
    if (!tensor || data.length !== tensor.byteLength) {
      throw new ShardscopeError(
        tensor ? 'SIZE_MISMATCH' : 'BAD_INPUT',
        tensor
          ? `Cannot write tensor ${name} to ${this.sink.name}: it was announced as ${tensor.byteLength} bytes but ${data.length} were given.`
          : `Cannot write tensor ${name} to ${this.sink.name}: it is not one of the tensors the header announces.`,
        { file: this.sink.name, param: name }
      )
    }
    if (tensor.byteLength === 0) return
    if (this.pendingTensor !== name || this.writtenInCurrent !== 0) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `Cannot write tensor ${name} to ${this.sink.name} now: the data must follow the header order, and ${this.pendingTensor ?? 'no tensor'} is due next.`,
        { file: this.sink.name, param: name }
      )
    }
    await this.writeTensorData(data)
  }

  /** Checks every tensor got all its bytes, then makes the file visible under its final name. */
  async finish(): Promise<SinkResult> {
    const missing = this.layout.tensors[this.current]
    if (missing) {
      throw new ShardscopeError(
        'SIZE_MISMATCH',
        `Cannot finish ${this.sink.name}: tensor ${missing.name} has ${this.writtenInCurrent} of its ${missing.byteLength} bytes${this.current + 1 < this.order.length ? ` and ${this.order.length - this.current - 1} tensors after it are still due` : ''}.`,
        { file: this.sink.name, param: missing.name }
      )
    }
    return this.sink.commit()
  }

  async abort(): Promise<void> {
    await this.sink.abort()
  }

  private skipCompleteTensors(): void {
    let tensor = this.layout.tensors[this.current]
    while (tensor && this.writtenInCurrent === tensor.byteLength) {
      this.current++
      this.writtenInCurrent = 0
      tensor = this.layout.tensors[this.current]
    }
  }
}

interface CheckedSpec {
  name: string
  nameBytes: Uint8Array
  dtype: string
  storedDtype: string
  shape: number[]
  byteLength: number
}

function checkSpec(spec: SafetensorsTensorSpec, file: string): CheckedSpec {
  const { name } = spec
  const subject = { file, param: name }
  // A lone surrogate cannot be written as UTF-8, and MindSpore's reader could not name the tensor.
  if (name === METADATA_KEY || /[\uD800-\uDFFF]/u.test(name)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `Cannot write tensor ${JSON.stringify(name)} to ${file}: ${name === METADATA_KEY ? 'the name is reserved for safetensors metadata' : 'the name is not valid Unicode text'}.`,
      subject
    )
  }
  const info = requireDtype(spec.dtype, subject)
  if (!info.safetensors) {
    throw new ShardscopeError(
      'UNSUPPORTED',
      `Cannot write tensor ${name} to ${file}: safetensors cannot hold MindSpore type ${spec.dtype}; keep it in a .ckpt instead.`,
      subject
    )
  }
  if (!spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `Cannot write tensor ${name} to ${file}: its shape [${spec.shape.join(', ')}] is not a list of non-negative integers.`,
      subject
    )
  }
  const expected = elementCount(spec.shape) * info.bytes
  if (expected !== spec.byteLength) {
    throw new ShardscopeError(
      'SIZE_MISMATCH',
      `Cannot write tensor ${name} to ${file}: it is announced as ${spec.byteLength} bytes, but shape [${spec.shape.join(', ')}] of ${info.name} needs ${expected}.`,
      subject
    )
  }
  return {
    name,
    nameBytes: encoder.encode(name),
    dtype: info.name,
    storedDtype: info.safetensors,
    shape: [...spec.shape],
    byteLength: spec.byteLength
  }
}

/**
 * The `__metadata__` entries, keys sorted by bytes. MindSpore's writer emits them in Rust HashMap order, which
 * varies from run to run; sorting keeps our output deterministic and matches the spec's example.
 */
function buildMetadata(
  tensors: readonly CheckedSpec[],
  options: SafetensorsWriterOptions,
  file: string
): [string, string][] {
  // A Map, not an object: caller keys such as "__proto__" must stay plain entries.
  const metadata = new Map<string, string>([['format', 'ms']])
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value)
  // A crc_num copied from an input describes other bytes (spec §2.4); only a freshly computed one may be written.
  metadata.delete('crc_num')
  const int4 = new Set(tensors.filter((t) => t.dtype === INT4_MARKER).map((t) => t.name))
  for (const t of tensors) {
    // An Int4 marker copied from an input would silently re-type a tensor that is no longer Int4.
    if (int4.has(t.name)) metadata.set(t.name, INT4_MARKER)
    else if (metadata.get(t.name) === INT4_MARKER) metadata.delete(t.name)
  }
  if (options.crcNum !== undefined) {
    if (!Number.isInteger(options.crcNum) || options.crcNum < 0 || options.crcNum > 0xffffffff) {
      throw new ShardscopeError(
        'BAD_INPUT',
        `Cannot write ${file}: crc_num ${options.crcNum} is not a CRC-32 (an integer from 0 to 4294967295).`,
        { file }
      )
    }
    metadata.set('crc_num', String(options.crcNum))
  }
  return [...metadata]
    .map(([key, value]) => ({ key, value, keyBytes: encoder.encode(key) }))
    .sort((a, b) => Buffer.compare(a.keyBytes, b.keyBytes))
    .map(({ key, value }) => [key, value])
}

function metadataJson(entries: readonly [string, string][]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`
}
