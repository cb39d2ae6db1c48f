import { randomBytes } from 'node:crypto'
import type { ClientChannel } from 'ssh2'
import { shellQuote, type ExecResult } from './transport'

/**
 * One `sh` kept open on a node for the short commands a push runs (find the hash tool, hash a file, remove a
 * folder). Each SSH exec costs the node a new session (fork, PAM, a login shell): 0.7 s each on a loaded
 * machine, more than hashing a 32 MiB file takes. Here a command costs one subshell. Commands run one at a time,
 * each through `eval` in `( … )` with stdin from /dev/null (so none can read the commands that follow, change
 * the shell's directory or environment, or end it by not parsing), and end with a marker line carrying `$?` on stdout and one on stderr.
 */
export class RemoteShell {
  private readonly nonce = `shardscope-end-${randomBytes(12).toString('hex')}`
  private current?: Running
  private ended = false

  private constructor(private readonly channel: ClientChannel) {
    channel.on('data', (chunk: Buffer) => this.current?.out(chunk))
    channel.stderr.on('data', (chunk: Buffer) => this.current?.err(chunk))
    channel.on('close', () => {
      this.ended = true
      this.current?.fail(new Error('the shell on the node ended'))
      this.current = undefined
    })
  }

  static open(start: (callback: (err: Error | null | undefined, channel: ClientChannel) => void) => void) {
    return new Promise<RemoteShell>((resolve, reject) =>
      start((err, channel) => (err ? reject(err) : resolve(new RemoteShell(channel))))
    )
  }

  get alive(): boolean {
    return !this.ended
  }

  /** Whether a command could start now (alive and not running one). */
  get idle(): boolean {
    return !this.ended && this.current === undefined
  }

  run(command: string): Promise<ExecResult> {
    if (!this.idle) return Promise.reject(new Error('the shell on the node is busy'))
    return new Promise((resolve, reject) => {
      this.current = new Running(
        this.nonce,
        (result) => {
          this.current = undefined
          resolve(result)
        },
        reject
      )
      // Through eval in a subshell, a command that does not parse fails alone, as it would over exec, instead
      // of ending this shell. printf's leading \n keeps the marker on a line of its own, and goes with it.
      this.channel.write(
        `( eval ${shellQuote(command)} ) </dev/null; printf '\\n${this.nonce}:%d\\n' "$?"; printf '\\n${this.nonce}\\n' >&2\n`
      )
    })
  }

  close(): void {
    this.ended = true
    this.channel.end()
  }
}

/** The output of one command so far, until both marker lines have arrived. */
class Running {
  private stdout = Buffer.alloc(0)
  private stderr = Buffer.alloc(0)
  private code?: number
  private errDone = false
  private readonly outMarker: Buffer
  private readonly errMarker: Buffer

  constructor(
    nonce: string,
    private readonly done: (result: ExecResult) => void,
    readonly fail: (err: Error) => void
  ) {
    this.outMarker = Buffer.from(`\n${nonce}:`)
    this.errMarker = Buffer.from(`\n${nonce}\n`)
  }

  out(chunk: Buffer): void {
    if (this.code !== undefined) return
    const from = Math.max(0, this.stdout.length - this.outMarker.length)
    this.stdout = Buffer.concat([this.stdout, chunk])
    const at = this.stdout.indexOf(this.outMarker, from)
    if (at < 0) return
    const end = this.stdout.indexOf(10, at + this.outMarker.length)
    if (end < 0) return
    this.code = Number(this.stdout.subarray(at + this.outMarker.length, end).toString('latin1'))
    this.stdout = this.stdout.subarray(0, at)
    this.finishIfDone()
  }

  err(chunk: Buffer): void {
    if (this.errDone) return
    const from = Math.max(0, this.stderr.length - this.errMarker.length)
    this.stderr = Buffer.concat([this.stderr, chunk])
    const at = this.stderr.indexOf(this.errMarker, from)
    if (at < 0) return
    this.stderr = this.stderr.subarray(0, at)
    this.errDone = true
    this.finishIfDone()
  }

  private finishIfDone(): void {
    if (this.code === undefined || !this.errDone) return
    this.done({ code: this.code, stdout: this.stdout.toString('utf8'), stderr: this.stderr.toString('utf8') })
  }
}
