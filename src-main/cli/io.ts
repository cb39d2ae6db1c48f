/** Where a command writes; the real process streams in `main.ts`, buffers in tests. */
export interface CliIO {
  out(text: string): void
  err(text: string): void
  /** Whether stderr is a terminal (live progress bars) or a file/pipe (plain progress lines). */
  readonly interactive: boolean
  /** Aborted on Ctrl-C; long commands stop between chunks and exit 130. */
  readonly signal: AbortSignal
}

export function processIO(signal: AbortSignal): CliIO {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    signal
  }
}

/** Captures output in memory: for tests that run commands in-process. */
export function bufferIO(
  signal: AbortSignal = new AbortController().signal
): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    interactive: false,
    signal,
    out(text: string) {
      io.stdout += text
    },
    err(text: string) {
      io.stderr += text
    }
  }
  return io
}
