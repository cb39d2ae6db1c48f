import { isShardscopeError, ShardscopeError } from '../../engine/errors'
import type { WorkerError } from '../../engine/exec/worker-protocol'
import { formatBytes } from '../../engine/util/format-bytes'
import { describeTask } from './describe-task'
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
      const result = await handler(message.params)
      checkSize(result, message)
      send({ id: message.id, ok: true, result })
    } catch (err) {
      send({ id: message.id, ok: false, error: asWorkerError(err, message) })
    }
  })()
})
// The parent went away (closed or crashed): nothing is left to serve.
process.on('disconnect', () => process.exit(0))

/** Refuses a reply too big for main to take without stalling (the shells re-encode every reply). */
function checkSize(result: unknown, message: ToHost): void {
  let bytes: number
  try {
    bytes = Buffer.byteLength(JSON.stringify(result))
  } catch {
    bytes = Infinity // longer than a string can be
  }
  if (bytes <= config.maxReplyBytes) return
  throw new ShardscopeError(
    'UNSUPPORTED',
    `${sentenceStart(message)} gave a result larger than the ${formatBytes(config.maxReplyBytes)} Shardscope passes to its window: the input describes more than the app can show.`
  )
}

// What V8 throws when one value would outgrow what it can hold: an input too large, not a bug.
const TOO_LARGE = /^(Invalid (array|string|typed array) length|Array buffer allocation failed)/

function asWorkerError(err: unknown, message: ToHost): WorkerError {
  if (isShardscopeError(err))
    return { code: err.code, message: err.message, file: err.file, param: err.param, rank: err.rank }
  if (err instanceof RangeError && TOO_LARGE.test(err.message)) {
    return {
      code: 'UNSUPPORTED',
      message: `${sentenceStart(message)} needs more memory than one value can hold (${err.message}): the input is too large or malformed.`
    }
  }
  return { message: err instanceof Error ? err.message : String(err) }
}

/** The task as the start of a sentence: "Reading the strategy …". */
function sentenceStart(message: ToHost): string {
  const task = describeTask(message.name, message.params)
  return task[0]!.toUpperCase() + task.slice(1)
}
