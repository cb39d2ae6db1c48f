// bench/plan: how planning scales. For strategies of 2,500, 5,000 and 20,000 parameters (dp × mp × pp with
// optimizer sharding, weights and Adam moments) from 1024 to 256 ranks and from 4096 to 1024, it writes the
// merged strategies and a folder of real rank files (record headers, tiny payloads), then times `ranks`,
// `plan` and indexing the folder (`inspect <folder>`): the CLI as users run it, each in its own process with a
// heap cap and a time cap, so a blow-up is reported ("out of memory after 41 s", "over 120 s") instead of
// ending the benchmark. Also the issue's own indexing case, 1024 files × 2,500 records. Asserts nothing.
//
//   node --import tsx bench/plan.ts [--params 2500]... [--topology 1024-256|4096-1024|index]...
//                                   [--command ranks|plan|index]... [--time-cap 120] [--heap-cap 4096] [--dir <tmp>]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CLI, describeLoad, describeRun, measuringLoad, runNode, type ChildLimits } from './machine'
import { planModel, ranksOf, writePlanFolder, writePlanStrategy, type Parallelism } from './plan-data'

const { values } = parseArgs({
  options: {
    params: { type: 'string', multiple: true },
    topology: { type: 'string', multiple: true },
    command: { type: 'string', multiple: true },
    'time-cap': { type: 'string' },
    'heap-cap': { type: 'string' },
    dir: { type: 'string' }
  }
})

interface Topology {
  label: string
  source: Parallelism
  destination: Parallelism
  commands: Command[]
  /** Parameter counts to run; the index-only case has its own. */
  params?: number[]
}

type Command = 'ranks' | 'plan' | 'index'

const TOPOLOGIES: Record<string, Topology> = {
  '1024-256': {
    label: '1024 → 256 (pp4 dp32 mp8 → pp2 dp16 mp8)',
    source: { pp: 4, dp: 32, mp: 8 },
    destination: { pp: 2, dp: 16, mp: 8 },
    commands: ['ranks', 'plan', 'index']
  },
  '4096-1024': {
    label: '4096 → 1024 (pp8 dp64 mp8 → pp4 dp32 mp8)',
    source: { pp: 8, dp: 64, mp: 8 },
    destination: { pp: 4, dp: 32, mp: 8 },
    commands: ['ranks', 'plan', 'index']
  },
  index: {
    label: 'indexing 1024 files × 2,500 records (pp1 dp128 mp8)',
    source: { pp: 1, dp: 128, mp: 8 },
    destination: { pp: 1, dp: 128, mp: 8 },
    commands: ['index'],
    params: [2500]
  }
}

const limits: ChildLimits = {
  timeoutSeconds: Number(values['time-cap'] ?? 120),
  heapMiB: Number(values['heap-cap'] ?? 4096),
  captureStdout: false
}
const paramCounts = (values.params ?? ['2500', '5000', '20000']).map(Number)
const topologies = (values.topology ?? ['1024-256', '4096-1024', 'index']).map((name) => {
  const topology = TOPOLOGIES[name]
  if (!topology) throw new Error(`--topology must be one of ${Object.keys(TOPOLOGIES).join(', ')}`)
  return topology
})

/** The hidden size: a multiple of mp × dp on both sides, so every optimizer shard holds whole rows. */
function hiddenFor(t: Topology): number {
  return 2 * Math.max(t.source.dp * t.source.mp, t.destination.dp * t.destination.mp)
}

function commandArgs(command: Command, work: string): string[] {
  const strategies = ['--src-strategy', join(work, 'src.ckpt'), '--dst-strategy', join(work, 'dst.ckpt')]
  switch (command) {
    case 'ranks':
      return ['ranks', ...strategies]
    case 'plan':
      return ['plan', '--src', join(work, 'src'), ...strategies, '--json']
    case 'index':
      return ['inspect', join(work, 'src'), '--json']
  }
}

async function main() {
  console.log(
    `bench/plan: the CLI (${CLI}) per command in its own process; caps: ${limits.timeoutSeconds} s, V8 heap ${limits.heapMiB} MiB.` +
      ` "others" is the CPU all other processes used meanwhile.`
  )
  for (const topology of topologies) {
    console.log(`\n${topology.label}`)
    for (const count of topology.params ?? paramCounts) {
      const work = mkdtempSync(join(values.dir ?? tmpdir(), 'shardscope-bench-plan-'))
      try {
        const started = Date.now()
        const params = planModel(count, hiddenFor(topology))
        await writePlanStrategy(join(work, 'src.ckpt'), params, topology.source)
        await writePlanStrategy(join(work, 'dst.ckpt'), params, topology.destination)
        const records = writePlanFolder(join(work, 'src'), params, topology.source)
        const destinationRanks = ranksOf(topology.destination)
        console.log(
          `  ${count} params: ${ranksOf(topology.source)} rank files of ${Math.min(...records)}–${Math.max(...records)} records` +
            ` written in ${((Date.now() - started) / 1000).toFixed(1)} s`
        )
        for (const command of topology.commands.filter(
          (c) => !values.command || values.command.includes(c)
        )) {
          const { result, load } = await measuringLoad(() => runNode(CLI, commandArgs(command, work), limits))
          const perUnit =
            command === 'index' || result.outcome !== 'ok'
              ? ''
              : `, ${((result.seconds * 1e6) / (count * destinationRanks)).toFixed(1)} µs per param × destination rank`
          console.log(
            `    ${command.padEnd(6)} ${describeRun(result, limits)}${perUnit}  (${describeLoad(load)})`
          )
        }
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    }
  }
}

void main()
