import type { TransformProgress } from '../engine/exec/run-transform'
import type { CliIO } from './io'
import { formatBytes } from './table'

const PLAIN_INTERVAL_MS = 5000
const BAR_INTERVAL_MS = 100
const BAR_WIDTH = 28

/**
 * Progress on stderr: a live bar redrawn in place on a terminal, plain lines (every 5 s, and at the end) when
 * stderr is a file or a pipe, so logs stay readable.
 */
export function progressPrinter(io: CliIO): { update(p: TransformProgress): void; finish(): void } {
  let last = 0
  let latest: TransformProgress | undefined
  let drewBar = false
  const line = (p: TransformProgress) => {
    const fraction =
      p.bytesTotal > 0
        ? p.bytesDone / p.bytesTotal
        : p.ranksTotal > 0
          ? (p.ranksDone + p.ranksSkipped) / p.ranksTotal
          : 1
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
    const ranks = `${p.ranksDone + p.ranksSkipped}/${p.ranksTotal} ranks`
    const skipped = p.ranksSkipped > 0 ? ` (${p.ranksSkipped} already done)` : ''
    const rate = p.bytesPerSecond > 0 ? `${formatBytes(p.bytesPerSecond)}/s` : ''
    const eta = p.etaSeconds !== undefined && fraction < 1 ? `ETA ${formatDuration(p.etaSeconds)}` : ''
    const amount = `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`
    return {
      fraction,
      text: [percent, amount, ranks + skipped, `${p.paramsDone}/${p.paramsTotal} params`, rate, eta]
        .filter(Boolean)
        .join('  ')
    }
  }
  return {
    update(p) {
      latest = p
      const now = Date.now()
      if (now - last < (io.interactive ? BAR_INTERVAL_MS : PLAIN_INTERVAL_MS)) return
      last = now
      const { fraction, text } = line(p)
      if (io.interactive) {
        const filled = Math.round(fraction * BAR_WIDTH)
        io.err(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${text}`)
        drewBar = true
      } else io.err(`progress: ${text}\n`)
    },
    finish() {
      if (!latest) return
      const { text } = line(latest)
      io.err(
        io.interactive
          ? `\r\x1b[2K${drewBar ? '' : ''}[${'#'.repeat(BAR_WIDTH)}] ${text}\n`
          : `progress: ${text}\n`
      )
    }
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}
