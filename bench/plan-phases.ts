// bench/plan-phases: where planning spends time and memory, phase by phase, for one generated case. It runs the
// planner's own steps in planConversion's order (no copy of its logic: the same engine functions) and prints,
// per phase, wall time and the heap it leaves retained (after a full GC), plus counts that explain them.
// Asserts nothing. `--threads 0` indexes on the main thread (CPU figures then include indexing).
//
// `--whole` then runs planConversion itself on the same input (indexing again) and prints its CPU time less the
// indexing phase's: what the rest of `plan` costs, reports and identities included.
//
//   node --expose-gc --import tsx bench/plan-phases.ts [--topology 1024-256|4096-1024] [--params 2500]
//                                                      [--ranks 256] [--threads N] [--whole]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readStrategyInput } from '../src-main/engine/formats/strategy/strategy-file'
import { scanCheckpointFolder } from '../src-main/engine/model/checkpoint-set'
import { indexSourceRanks } from '../src-main/engine/plan/index-ranks'
import { OutputSizes } from '../src-main/engine/plan/output-size'
import { planConversion } from '../src-main/engine/plan/plan-transform'
import { buildParamCatalog } from '../src-main/engine/plan/param-catalog'
import type { PlanOptions, Problem, RankOutline, StageRecipe } from '../src-main/engine/plan/plan-types'
import { sourceRankLists } from '../src-main/engine/plan/rank-lists'
import { rankOutline } from '../src-main/engine/plan/rank-outline'
import { buildRankPlan } from '../src-main/engine/plan/rank-plan'
import { mindsporeRecordOrder } from '../src-main/engine/plan/record-order'
import { RecipeLayouts, selectRank } from '../src-main/engine/plan/source-selection'
import { stageRecipes } from '../src-main/engine/plan/stage-recipe'
import { describeSide, rankCount, stageOfRank } from '../src-main/engine/plan/strategy-side'
import { mib } from './machine'
import { planModel, ranksOf, writePlanFolder, writePlanStrategy, type Parallelism } from './plan-data'

const { values } = parseArgs({
  options: {
    topology: { type: 'string' },
    params: { type: 'string' },
    ranks: { type: 'string' },
    threads: { type: 'string' },
    whole: { type: 'boolean' }
  }
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
    const threads = values.threads === undefined ? {} : { threads: Number(values.threads) }
    const index = await indexSourceRanks(
      folder,
      folder.ranks.map((r) => r.rank),
      {},
      problems,
      threads
    )
    const entries = index.files().reduce((s, f) => s + f.records.names.length, 0)
    const indexCpu = cpuSeconds() - last.cpu
    phase('index rank files', `${entries} tensor entries, ${index.lists.length} distinct record lists`)
    const catalog = buildParamCatalog(src, dst, index, problems)
    phase('catalog', `${catalog.length} params, ${problems.length} problems`)

    const wanted = Number(values.ranks ?? rankCount(dst))
    const ranks = Array.from({ length: wanted }, (_, r) => r)
    const stageList = [...new Set(ranks.map((r) => stageOfRank(dst, r).stage))]
    const modelOrder = catalog.map((p) => p.name)
    const recipes = new Map<number, StageRecipe>()
    for (const recipe of stageRecipes(src, dst, catalog, stageList))
      recipes.set(recipe.stage, {
        ...recipe,
        entries: mindsporeRecordOrder(recipe.entries, recipe.stage, src, dst, index, modelOrder)
      })
    const classes = [...recipes.values()].reduce((s, r) => s + r.classes.length, 0)
    phase('stage recipes + record order', `${recipes.size} stages, ${classes} layout classes`)

    const options: PlanOptions = { format: 'ckpt', crc: false, prefix: 'checkpoint_' }
    const layouts = new Map([...recipes].map(([stage, recipe]) => [stage, new RecipeLayouts(recipe)]))
    const holds = (rank: number, name: string) => index.holds(rank, index.nameId(name)!)
    const sizes = new OutputSizes(options)
    // CPU time of the two steps, summed over ranks.
    let selectSeconds = 0
    let outlineSeconds = 0
    const outlines: RankOutline[] = []
    for (const rank of ranks) {
      const { stage, local } = stageOfRank(dst, rank)
      let t = cpuSeconds()
      const selection = selectRank(layouts.get(stage)!, src, local, holds)
      selectSeconds += cpuSeconds() - t
      t = cpuSeconds()
      outlines.push(
        rankOutline({ rank, stage, local }, layouts.get(stage)!, selection, index, sizes, options, false)
      )
      outlineSeconds += cpuSeconds() - t
    }
    phase(
      `select + outlines (${wanted} ranks)`,
      `CPU select ${selectSeconds.toFixed(2)} s, outline ${outlineSeconds.toFixed(2)} s`
    )
    const outlineJson = JSON.stringify(outlines).length
    const recipeJson = JSON.stringify([...recipes.values()]).length
    phase('plan as JSON', `outlines ${mib(outlineJson)}, recipes ${mib(recipeJson)}`)

    // What a worker does per rank before writing it (here from the folder index, not re-read headers).
    const first = outlines[0]!
    const lookup = (rank: number, name: string) => index.entry(rank, index.nameId(name)!)
    const built = buildRankPlan(recipes.get(first.stage)!, first, lookup, options, layouts.get(first.stage))
    const reads = built.params.reduce((s, p) => s + p.reads.length, 0)
    phase(
      'one RankPlan (rank 0)',
      `${built.params.length} param plans, ${reads} reads, ${mib(JSON.stringify(built).length)} as JSON`
    )
    // Both stay reachable until here, so the last phase's heap still holds them.
    console.log(`(${index.size} indexed ranks and ${outlines.length} rank outlines held)`)
    // Worker threads share the process: their heaps are in this figure, not in the retained heap above.
    console.log(`peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`)
    if (values.whole) {
      const cpu = cpuSeconds()
      const started = process.hrtime.bigint()
      const plan = await planConversion({
        sourceFolder: join(work, 'src'),
        destinationFolder: join(work, 'dst'),
        sourceStrategy: srcSet,
        destinationStrategy: dstSet,
        ...(values.ranks === undefined ? {} : { ranks }),
        options,
        checkDestination: false,
        indexing: threads
      })
      const spent = cpuSeconds() - cpu
      console.log(
        `planConversion, ${plan.ranks.length} ranks: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s (CPU ${spent.toFixed(2)} s;` +
          ` less the index phase's ${indexCpu.toFixed(2)} s: ${(spent - indexCpu).toFixed(2)} s)`
      )
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

void main()
