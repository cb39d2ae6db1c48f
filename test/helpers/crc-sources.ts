import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CkptWriter } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { AtomicFileSink } from '../../src-main/engine/io/byte-sink'
import { readAllTensors } from './ckpt'
import { oracle } from './fixtures'

/** A copy of an oracle case's source checkpoint into `dir`, every file with MindSpore's CRC-32 trailer. */
export async function withCrcTrailers(caseName: string, dir: string): Promise<string> {
  const src = oracle(caseName, 'src')
  for (const rankDir of readdirSync(src)) {
    const file = readdirSync(join(src, rankDir))[0]!
    const writer = new CkptWriter(await AtomicFileSink.create(join(dir, rankDir, file)), { crc: true })
    for (const t of await readAllTensors(join(src, rankDir, file)))
      await writer.writeTensor(t.name, t.storedDtype, t.dims, t.data)
    await writer.finish()
  }
  return dir
}

/** Flips one byte inside a tensor's payload, leaving the file's CRC trailer (now wrong) in place. */
export function damagePayload(path: string): void {
  const bytes = readFileSync(path)
  const at = bytes.indexOf(Buffer.from('layer0.layernorm.gamma')) + 64
  bytes[at] = bytes[at]! ^ 1
  writeFileSync(path, bytes)
}
