// bench/strategy-open: the engine-side CPU of opening a 20,000-parameter strategy in the app's explorer, outside
// the app: what the reader process does for `path.open` then `strategy.describe`, each on a fresh file (as a
// first open is) and run several times, so bench/ui's engine figure can be split into its parts. Asserts nothing.
//
//   node --import tsx bench/strategy-open.ts [--params 20000] [--runs 5]
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { describeStrategy } from '../src-main/services/describe-strategy'
import { openPath } from '../src-main/services/open-path'
import { writeBenchStrategy } from './ui-strategy'

const { values } = parseArgs({ options: { params: { type: 'string' }, runs: { type: 'string' } } })
const count = Number(values.params ?? 20_000)
const runs = Number(values.runs ?? 5)

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'shardscope-bench-open-'))
  try {
    const opens: number[] = []
    const describes: number[] = []
    for (let run = 0; run < runs; run++) {
      const path = join(work, `strategy-${run}.json`)
      writeBenchStrategy(path, `model${run}`, count)
      let start = process.cpuUsage()
      const opened = await openPath(path)
      opens.push(cpuMs(start))
      start = process.cpuUsage()
      const table = await describeStrategy(path)
      describes.push(cpuMs(start))
      if (!opened.ok || table.rows.names.length !== count) throw new Error('the strategy did not open')
    }
    const [load] = loadavg()
    const show = (list: number[]) => list.map((ms) => ms.toFixed(0)).join(', ')
    console.log(`bench/strategy-open: ${count} layouts, load average ${load!.toFixed(1)}`)
    console.log(`path.open CPU ms per run: ${show(opens)}`)
    console.log(`strategy.describe CPU ms per run: ${show(describes)}`)
    const sum = opens.map((o, i) => o + describes[i]!)
    console.log(`both, best ${Math.min(...sum).toFixed(0)} ms, last ${sum[sum.length - 1]!.toFixed(0)} ms`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

void main()
