import { useEffect, useRef, useState } from 'react'
import type { ParamRow } from '../../../src-main/api/contract'

/** The layout as one JSON line, for pasting into an issue, a script or a strategy file by hand. */
export function layoutLine(row: ParamRow): string {
  return JSON.stringify({
    name: row.name,
    stage: row.stage,
    shape: row.shape ?? null,
    dtype: row.dtype ?? null,
    devMatrix: row.devMatrix,
    tensorMap: row.tensorMap,
    optShardSize: row.optShardSize,
    optShardStep: row.optShardStep
  })
}

export type CopyStatus = 'idle' | 'copied' | 'failed'

/** Copies a row's layout and reports how it went for a moment. */
export function useCopyLayout(row: ParamRow | undefined): { copy(): void; status: CopyStatus } {
  const [status, setStatus] = useState<CopyStatus>('idle')
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  const show = (next: CopyStatus) => {
    setStatus(next)
    clearTimeout(timer.current)
    timer.current = setTimeout(() => setStatus('idle'), 1600)
  }
  const copy = () => {
    if (!row) return
    // Through a promise so a missing clipboard (an insecure origin) reports "failed" instead of throwing.
    Promise.resolve(row)
      .then((r) => navigator.clipboard.writeText(layoutLine(r)))
      .then(
        () => show('copied'),
        () => show('failed')
      )
  }
  return { copy, status }
}
