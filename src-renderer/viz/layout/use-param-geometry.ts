import { useMemo } from 'react'
import type { ParamRow } from '../../../src-main/api/contract'
import { deviceCount } from '../../../src-main/engine/layout/device-matrix'
import { useAppStore } from '../../store/app-store'
import { buildGeometry, type ParamGeometry } from './param-geometry'
import { groupSlices, type SliceGroups } from './slice-groups'

export interface StageGeometry {
  row: ParamRow
  result: ParamGeometry
  groups?: SliceGroups
}

/** Devices per pipeline stage: what the strategy says, else what the row's device matrix implies. */
export function stageDevicesOf(stageDevices: number | undefined, row: ParamRow): number {
  return stageDevices && stageDevices > 0 ? stageDevices : deviceCount(row.devMatrix)
}

function stageGeometry(row: ParamRow, stageDevices: number | undefined): StageGeometry {
  const result = buildGeometry(row)
  if (!result.ok) return { row, result }
  return { row, result, groups: groupSlices(result.geometry, row.stage * stageDevicesOf(stageDevices, row)) }
}

/** The selected row's geometry and slices, with global ranks. */
export function useParamGeometry(row: ParamRow | undefined): StageGeometry | undefined {
  const stageDevices = useAppStore((s) => s.strategy?.stageDevices)
  return useMemo(() => (row ? stageGeometry(row, stageDevices) : undefined), [row, stageDevices])
}

/** The row of every stage holding the selected parameter (several for a tied parameter), selected row first. */
export function useTiedGeometries(row: ParamRow | undefined): StageGeometry[] {
  const strategy = useAppStore((s) => s.strategy)
  return useMemo(() => {
    if (!row || !strategy) return []
    const rows =
      row.stages.length > 1 ? strategy.params.filter((r) => r.name === row.name && r.stage !== row.stage) : []
    return [row, ...rows].map((r) => stageGeometry(r, strategy.stageDevices))
  }, [row, strategy])
}
