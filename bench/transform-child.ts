// Runs one CLI command exactly as a user would and reports the process's peak RSS (all worker threads included).
import { processIO } from '../src-main/cli/io'
import { runCli } from '../src-main/cli/run'

const controller = new AbortController()
runCli(process.argv.slice(2), processIO(controller.signal)).then((code) => {
  process.stderr.write(
    `\n@@bench ${JSON.stringify({ code, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`
  )
  process.exitCode = code
})
