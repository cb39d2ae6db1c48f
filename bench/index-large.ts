// bench/index-large: indexing a folder of real-sized rank files. Each record has a real payload (4 MiB by
// default), so every record header sits alone in its own read (the bench/plan folders have tiny payloads, and
// one window holds hundreds of records). The payloads are holes of sparse files and the ranks are hard links of
// one file, so 1024 files × 2,500 records × 4 MiB (10 PiB apparent) cost ~10 MiB of disk; the headers stay in
// the page cache, as on a machine that has just read the folder once. Times `inspect <folder>` as users run it.
//
//   node --import tsx bench/index-large.ts [--files 1024] [--records 2500] [--payload-kib 4096] [--dir <tmp>]
import {
  closeSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { recordHeader } from '../src-main/engine/formats/ckpt/ckpt-writer'
import { CLI, describeLoad, describeRun, measuringLoad, runNode, type ChildLimits } from './machine'

const { values } = parseArgs({
  options: {
    files: { type: 'string' },
    records: { type: 'string' },
    'payload-kib': { type: 'string' },
    'time-cap': { type: 'string' },
    dir: { type: 'string' }
  }
})
const files = Number(values.files ?? 1024)
const records = Number(values.records ?? 2500)
const payloadBytes = Number(values['payload-kib'] ?? 4096) * 1024
const limits: ChildLimits = {
  timeoutSeconds: Number(values['time-cap'] ?? 300),
  heapMiB: 4096,
  captureStdout: false
}

/** One rank file: each record's header written where it lies, its Float32 payload left a hole. */
function writeSparseRankFile(path: string): void {
  const columns = 1024
  const rows = Math.max(1, Math.floor(payloadBytes / (4 * columns)))
  const fd = openSync(path, 'w')
  try {
    let position = 0
    for (let r = 0; r < records; r++) {
      const header = recordHeader(
        `model.layers.${r >> 3}.weight_${r & 7}`,
        'Float32',
        [rows, columns],
        rows * columns * 4
      )
      writeSync(fd, header, 0, header.length, position)
      position += header.length + rows * columns * 4
    }
    ftruncateSync(fd, position)
  } finally {
    closeSync(fd)
  }
}

async function main() {
  const work = mkdtempSync(join(values.dir ?? tmpdir(), 'shardscope-bench-index-large-'))
  try {
    const started = Date.now()
    const first = join(work, 'rank_file.ckpt')
    writeSparseRankFile(first)
    for (let rank = 0; rank < files; rank++) {
      mkdirSync(join(work, 'src', `rank_${rank}`), { recursive: true })
      linkSync(first, join(work, 'src', `rank_${rank}`, `checkpoint_${rank}.ckpt`))
    }
    console.log(
      `bench/index-large: ${files} rank files × ${records} records of ${payloadBytes / 1024} KiB (sparse, hard links),` +
        ` written in ${((Date.now() - started) / 1000).toFixed(1)} s; the CLI (${CLI}), cap ${limits.timeoutSeconds} s.`
    )
    const { result, load } = await measuringLoad(() =>
      runNode(CLI, ['inspect', join(work, 'src'), '--json'], limits)
    )
    const perRecord =
      result.outcome === 'ok'
        ? `, ${((result.seconds * 1e6) / (files * records)).toFixed(2)} µs per record`
        : ''
    console.log(`    index  ${describeRun(result, limits)}${perRecord}  (${describeLoad(load)})`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

void main()
