import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { indexCkpt } from '../../src-main/engine/formats/ckpt/ckpt-index'
import { readTensorBytes, type TensorEntry } from '../../src-main/engine/formats/tensor-entry'
import type { ByteSource } from '../../src-main/engine/io/byte-source'
import { withLocalFile } from '../../src-main/engine/io/local-file'

/** Every tensor of a checkpoint with its payload, for comparisons in tests (test files are small). */
export async function readAllTensors(path: string) {
  return withLocalFile(path, async (source) => {
    const index = await indexCkpt(source)
    return Promise.all(index.tensors.map(async (t) => ({ ...t, data: await tensorData(source, t) })))
  })
}

export async function tensorData(source: ByteSource, entry: TensorEntry): Promise<Uint8Array> {
  const data = new Uint8Array(entry.byteLength)
  await readTensorBytes(source, entry, 0, entry.byteLength, data)
  return data
}

/** Every file under `dir` whose name ends in `suffix`, recursively. */
export function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return filesUnder(path, suffix)
    return name.endsWith(suffix) ? [path] : []
  })
}
