/** The block ciphers MindSpore can encrypt a checkpoint with, and the magic that opens each block (spec §1.10). */
export type CipherMode = 'AES-GCM' | 'AES-CBC' | 'SM4-CBC'

export const CIPHER_MAGIC: Record<CipherMode, number> = {
  'AES-GCM': 0x7f3a5ed8,
  'AES-CBC': 0x7f3a5ed9,
  'SM4-CBC': 0x7f3a5eda
}

export const CIPHER_MODES: readonly CipherMode[] = ['AES-GCM', 'AES-CBC', 'SM4-CBC']

/** The cipher whose block magic `firstBytes` starts with, if any. */
export function cipherModeOfMagic(firstBytes: Uint8Array): CipherMode | undefined {
  if (firstBytes.length < 4) return undefined
  const magic =
    (firstBytes[0]! | (firstBytes[1]! << 8) | (firstBytes[2]! << 16) | (firstBytes[3]! << 24)) >>> 0
  return CIPHER_MODES.find((mode) => CIPHER_MAGIC[mode] === magic)
}
