import { useMemo } from 'react'
import type { ParamRow } from '../../src-main/api/contract'
import { useAppStore } from '../store/app-store'

/** The strategy row of the selected parameter, if any. */
export function useSelectedRow(): ParamRow | undefined {
  const strategy = useAppStore((s) => s.strategy)
  const selected = useAppStore((s) => s.selectedParam)
  return useMemo(
    () => strategy?.params.find((r) => r.name === selected?.name && r.stage === selected?.stage),
    [strategy, selected]
  )
}
