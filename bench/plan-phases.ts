// bench/plan-phases: where planning spends time and memory, phase by phase, for one generated case. It runs the
// planner's own steps in planTransform's order (no copy of its logic: the same engine functions) and prints,
// per phase, wall time and the heap it leaves retained (after a full GC), plus counts that explain them.
// For the later rewrite of the planner; asserts nothing.
//
//   node --expose-gc --import tsx bench/plan-phases.ts [--topology 1024-256] [--params 2500] [--ranks 256]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readStrategyInput } from '../src-main/engine/formats/strategy/strategy-file'
import { scanCheckpointFolder } from '../src-main/engine/model/checkpoint-set'
import { buildParamCatalog } from '../src-main/engine/plan/param-catalog'
import type { Problem, RankPlan } from '../src-main/engine/plan/plan-types'
import { sourceRankLists } from '../src-main/engine/plan/rank-lists'
import { rankPlan } from '../src-main/engine/plan/rank-plan'
import { indexSourceRanks } from '../src-main/engine/plan/source-index'
import { selectSources } from '../src-main/engine/plan/source-selection'
import { describeSide, rankCount } from '../src-main/engine/plan/strategy-side'
import { mib } from './machine'
import { planModel, ranksOf, writePlanFolder, writePlanStrategy, type Parallelism } from './plan-data'

const { values } = parseArgs({
  options: { topology: { type: 'string' }, params: { type: 'string' }, ranks: { type: 'string' } }
})
const TOPOLOGIES: Record<string, [Parallelism, Parallelism]> = {
  '1024-256': [
    { pp: 4, dp: 32, mp: 8 },
    { pp: 2, dp: 16, mp: 8 }
  ],
  '4096-1024': [
    { pp: 8, dp: 64, mp: 8 },
    { pp: 4, dp: 32, mp: 8 }
  ]
}
const [source, destination] = TOPOLOGIES[values.topology ?? '1024-256']!
const count = Number(values.params ?? 2500)
const gc = (globalThis as { gc?: () => void }).gc

function retained(): number {
  gc?.()
  return process.memoryUsage().heapUsed
}

const cpuSeconds = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}
let last = { time: process.hrtime.bigint(), cpu: 0, heap: 0 }
/** Prints the phase since the last call: wall and CPU time (CPU is what a loaded machine does not inflate). */
function phase(label: string, detail = ''): void {
  const now = process.hrtime.bigint()
  const cpu = cpuSeconds()
  const heap = retained()
  const seconds = Number(now - last.time) / 1e9
  console.log(
    `${label.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s (CPU ${(cpu - last.cpu).toFixed(2).padStart(6)} s)   heap ${mib(heap).padStart(9)} (${heap >= last.heap ? '+' : ''}${mib(heap - last.heap)})  ${detail}`
  )
  last = { time: process.hrtime.bigint(), cpu: cpuSeconds(), heap }
}

async function main() {
  if (!gc) console.log('(run with --expose-gc for retained-heap figures)')
  const work = mkdtempSync(join(tmpdir(), 'shardscope-bench-phases-'))
  try {
    const hidden = 2 * Math.max(source.dp * source.mp, destination.dp * destination.mp)
    const params = planModel(count, hidden)
    await writePlanStrategy(join(work, 'src.ckpt'), params, source)
    await writePlanStrategy(join(work, 'dst.ckpt'), params, destination)
    writePlanFolder(join(work, 'src'), params, source)
    last = { time: process.hrtime.bigint(), cpu: cpuSeconds(), heap: retained() }
    console.log(`${count} params, ${ranksOf(source)} → ${ranksOf(destination)} ranks`)
    const srcSet = await readStrategyInput(join(work, 'src.ckpt'))
    const dstSet = await readStrategyInput(join(work, 'dst.ckpt'))
    const src = describeSide(srcSet, 'source strategy')
    const dst = describeSide(dstSet, 'destination strategy')
    phase('read + describe strategies')

    const lists = sourceRankLists(srcSet, dstSet)
    const listed = [...lists.values()].reduce((s, l) => s + l.length, 0)
    phase('ranks (sourceRankLists)', `${lists.size} lists, ${listed} source ranks in all`)

    const folder = await scanCheckpointFolder(join(work, 'src'))
    phase('scan folder', `${folder.ranks.length} rank files`)
    const problems: Problem[] = []
    const indexed = await indexSourceRanks(
      folder,
      folder.ranks.map((r) => r.rank),
      {},
      problems
    )
    const entries = [...indexed.values()].reduce((s, r) => s + r.tensors.size, 0)
    phase('index rank files', `${entries} tensor entries`)
    const catalog = buildParamCatalog(src, dst, indexed, problems)
    phase('catalog', `${catalog.length} params, ${problems.length} problems`)

    const wanted = Number(values.ranks ?? rankCount(dst))
    const holds = (rank: number, name: string) => indexed.get(rank)?.tensors.has(name) ?? false
    // CPU time of the two steps, summed over ranks.
    let selectSeconds = 0
    let planSeconds = 0
    let pieces = 0
    const plans: RankPlan[] = []
    for (let rank = 0; rank < wanted; rank++) {
      let t = cpuSeconds()
      const selection = selectSources(src, dst, rank, catalog, { holds })
      selectSeconds += cpuSeconds() - t
      for (const p of selection.params) if (p.action === 'reshard') pieces += p.pieces.length
      t = cpuSeconds()
      plans.push(rankPlan(selection, catalog, indexed, { format: 'ckpt', crc: false, prefix: 'checkpoint_' }))
      planSeconds += cpuSeconds() - t
    }
    const reads = plans.reduce((s, r) => s + r.params.reduce((t, p) => t + p.reads.length, 0), 0)
    const paramPlans = plans.reduce((s, r) => s + r.params.length, 0)
    phase(
      `select + rank plans (${wanted} ranks)`,
      `CPU select ${selectSeconds.toFixed(2)} s, rankPlan ${planSeconds.toFixed(2)} s; ${paramPlans} param plans, ${pieces} pieces, ${reads} reads`
    )
    const perRank = JSON.stringify(plans[0] ?? {}).length
    phase(
      'one rank plan as JSON',
      `${mib(perRank)} for rank 0 (a worker gets its rank's plan), ~${mib(perRank * wanted)} for all`
    )
    // Both stay reachable until here, so the last phase's heap still holds them.
    console.log(`(${indexed.size} indexed ranks and ${plans.length} rank plans held)`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

void main()
