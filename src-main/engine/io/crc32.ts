import { crc32 } from 'node:zlib'
import type { ByteSource } from './byte-source'

/** CRC-32/ISO-HDLC (Python's `binascii.crc32`), chainable: pass the previous value as `initial`. */
export function crc32Update(data: Uint8Array, initial = 0): number {
  return crc32(data, initial) >>> 0
}

const CRC_READ_CHUNK = 4 * 1024 * 1024

/** CRC-32 of `source[start, end)`, read in bounded chunks. */
export async function crc32OfRange(source: ByteSource, start: number, end: number): Promise<number> {
  const buffer = new Uint8Array(Math.min(CRC_READ_CHUNK, Math.max(0, end - start)))
  let crc = 0
  for (let pos = start; pos < end; pos += buffer.length) {
    const length = Math.min(buffer.length, end - pos)
    await source.readInto(buffer, 0, length, pos)
    crc = crc32Update(buffer.subarray(0, length), crc)
  }
  return crc
}

// Multiplication by x^(8·2^k) modulo the CRC polynomial, as 32×32 bit matrices (one number per column), built on
// first use: appending 2^k zero bytes to a message maps its CRC through matrix k.
const zeroByteOperators: Uint32Array[] = []

function timesMatrix(matrix: Uint32Array, vector: number): number {
  let sum = 0
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i]!
  return sum >>> 0
}

function squared(matrix: Uint32Array): Uint32Array {
  const out: Uint32Array = new Uint32Array(32)
  for (let n = 0; n < 32; n++) out[n] = timesMatrix(matrix, matrix[n]!)
  return out
}

function zeroBytesOperator(k: number): Uint32Array {
  if (zeroByteOperators.length === 0) {
    // One zero bit: shift right, folding in the reflected polynomial.
    let operator: Uint32Array = new Uint32Array(32)
    operator[0] = 0xedb88320
    for (let n = 1; n < 32; n++) operator[n] = (1 << (n - 1)) >>> 0
    for (let bits = 1; bits < 8; bits *= 2) operator = squared(operator)
    zeroByteOperators.push(operator)
  }
  while (zeroByteOperators.length <= k)
    zeroByteOperators.push(squared(zeroByteOperators[zeroByteOperators.length - 1]!))
  return zeroByteOperators[k]!
}

/**
 * The CRC-32 of `A ‖ B` from the CRC-32 of `A`, the CRC-32 of `B` and B's length (zlib's crc32_combine), so that
 * pieces of a file checksummed in any order can be joined into the CRC of the whole.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  let crc = crcA >>> 0
  for (let k = 0, rest = lengthB; rest > 0; k++, rest = Math.floor(rest / 2))
    if (rest % 2 === 1) crc = timesMatrix(zeroBytesOperator(k), crc)
  return (crc ^ crcB) >>> 0
}
