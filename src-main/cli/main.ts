import { processIO } from './io'
import { runCli } from './run'

const controller = new AbortController()
let interrupts = 0
process.on('SIGINT', () => {
  // First Ctrl-C asks the running command to stop cleanly (it exits 130); a second one leaves at once.
  if (++interrupts > 1) process.exit(130)
  controller.abort()
})
// mpirun, srun and Kubernetes stop a worker with SIGTERM: it stops like on Ctrl-C (finished outputs kept, the
// manifest says so), and leaves anyway if that takes longer than a launcher would wait before SIGKILL.
process.on('SIGTERM', () => {
  controller.abort()
  setTimeout(() => process.exit(143), 8000).unref()
})
// `shardscope inspect … | head` closes our stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
})

runCli(process.argv.slice(2), processIO(controller.signal)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`shardscope: internal error: ${(err as Error).message}\n`)
    process.exitCode = 70
  }
)
