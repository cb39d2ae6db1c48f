import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { SafetensorsWriter } from '../../src-main/engine/formats/safetensors/safetensors-writer'
import { computeSafetensorsCrc } from '../../src-main/engine/formats/safetensors/safetensors-crc'
import { indexSafetensors } from '../../src-main/engine/formats/safetensors/safetensors-index'
import { AtomicFileSink, MemorySink } from '../../src-main/engine/io/byte-sink'
import { MemorySource } from '../../src-main/engine/io/byte-source'
import { readAllTensors } from './ckpt'

/**
 * Rewrites every `rank_<r>/*.ckpt` of a folder as `rank_<r>/<name>.safetensors` the way MindSpore saves them
 * (safetensors' own order: dtype size descending, then name), optionally with MindSpore's crc_num.
 */
export async function safetensorsCopy(
  from: string,
  to: string,
  options: { crc?: boolean } = {}
): Promise<void> {
  for (const rankDir of readdirSync(from).filter((n) => /^rank_\d+$/.test(n))) {
    for (const file of readdirSync(join(from, rankDir)).filter((n) => n.endsWith('.ckpt'))) {
      const tensors = await readAllTensors(join(from, rankDir, file))
      const specs = tensors.map((t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        byteLength: t.data.length
      }))
      const write = async (sinkFor: () => Promise<AtomicFileSink | MemorySink>, crcNum?: number) => {
        const sink = await sinkFor()
        const writer = await SafetensorsWriter.create(sink, specs, crcNum === undefined ? {} : { crcNum })
        for (const name of writer.order)
          await writer.writeTensor(name, tensors.find((t) => t.name === name)!.data)
        await writer.finish()
        return sink
      }
      let crcNum: number | undefined
      if (options.crc) {
        const memory = (await write(async () => new MemorySink())) as MemorySink
        const source = new MemorySource('memory', memory.bytes())
        crcNum = await computeSafetensorsCrc(source, await indexSafetensors(source))
      }
      await write(
        () => AtomicFileSink.create(join(to, rankDir, file.replace(/\.ckpt$/, '.safetensors'))),
        crcNum
      )
    }
  }
}
