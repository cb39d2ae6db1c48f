/**
 * The few protobuf wire primitives our streaming `.ckpt` reader and writer need. Values stay JS numbers: every
 * length and dimension in a checkpoint is far below 2^53.
 */
export const WIRE_VARINT = 0
export const WIRE_I64 = 1
export const WIRE_LEN = 2
export const WIRE_I32 = 5

export interface Decoded {
  value: number
  next: number
}

/** Decodes a varint at `pos`; returns undefined when `bytes` ends before the varint does. */
export function readVarint(bytes: Uint8Array, pos: number): Decoded | undefined {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) return undefined
    const byte = bytes[pos + i]!
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) return { value, next: pos + i + 1 }
    scale *= 128
  }
  return { value: Number.NaN, next: pos + 10 }
}

export function varintLength(value: number): number {
  let length = 1
  while (value >= 128) {
    value = Math.floor(value / 128)
    length++
  }
  return length
}

/** Writes a non-negative varint into `out` at `pos` and returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 128) {
    out[pos++] = (value % 128) | 0x80
    value = Math.floor(value / 128)
  }
  out[pos++] = value
  return pos
}

export function fieldKey(fieldNumber: number, wireType: number): number {
  return fieldNumber * 8 + wireType
}

/** Bytes a length-delimited field occupies (key, length prefix and payload). */
export function lenFieldSize(fieldNumber: number, payloadLength: number): number {
  return varintLength(fieldKey(fieldNumber, WIRE_LEN)) + varintLength(payloadLength) + payloadLength
}
