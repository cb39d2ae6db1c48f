import { isShardscopeError } from '../../engine/errors'
import type { WorkerError } from '../../engine/exec/worker-protocol'
import { hostHandlers } from './host-handlers'
import type { FromHost, HostConfig, ToHost } from './host-protocol'

/**
 * An engine process: a child of the Electron main process or the browser-mode server that does all the work
 * on user files. Whatever an input does to it (runs out of memory, aborts, spins), the process that serves the
 * window or the browser stays up and answers; see engine-process.ts for the other side.
 */
const send = (message: FromHost) => process.send?.(message)
const config = JSON.parse(process.argv[2] ?? '{}') as HostConfig
const handlers = hostHandlers(config, (event) => send({ event })) as Record<
  string,
  (params: unknown) => Promise<unknown>
>

process.on('message', (message: ToHost) => {
  void (async () => {
    try {
      const handler = handlers[message.name]
      if (!handler) throw new Error(`this process does not serve ${message.name}`)
      send({ id: message.id, ok: true, result: await handler(message.params) })
    } catch (err) {
      send({ id: message.id, ok: false, error: asWorkerError(err) })
    }
  })()
})
// The parent went away (closed or crashed): nothing is left to serve.
process.on('disconnect', () => process.exit(0))

function asWorkerError(err: unknown): WorkerError {
  if (isShardscopeError(err))
    return { code: err.code, message: err.message, file: err.file, param: err.param, rank: err.rank }
  return { message: err instanceof Error ? err.message : String(err) }
}
