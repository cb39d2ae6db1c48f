// Preloaded (`node --require`) into a benchmarked process: at exit it writes the process's peak resident memory
// (ru_maxrss, all threads together) and CPU time to the file SHARDSCOPE_BENCH_REPORT names. The command itself
// runs unchanged, from the same bundle a user runs.
const { writeFileSync } = require('node:fs')

const target = process.env.SHARDSCOPE_BENCH_REPORT
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    const report = {
      maxRssBytes: usage.maxRSS * 1024,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6
    }
    writeFileSync(target, JSON.stringify(report))
  })
}
