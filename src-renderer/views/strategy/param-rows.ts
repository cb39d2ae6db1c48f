import type { ParamRow } from '../../../src-main/api/contract'
import { elementCount } from '../../../src-main/engine/formats/tensor-entry'
import { formatMap } from '../../app/format'
import type { ParamFilters, SortKey } from '../../store/selection-slice'

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** A row with its lower-cased name, computed once per strategy so searching 10,000 rows stays instant. */
export interface IndexedRow {
  row: ParamRow
  lowerName: string
  order: number
}

export function indexRows(rows: readonly ParamRow[]): IndexedRow[] {
  return rows.map((row, order) => ({ row, lowerName: row.name.toLowerCase(), order }))
}

export function filterRows(rows: readonly IndexedRow[], search: string, filters: ParamFilters): IndexedRow[] {
  const needle = search.trim().toLowerCase()
  return rows.filter(({ row, lowerName }) => {
    if (needle && !lowerName.includes(needle)) return false
    if (filters.stage !== 'all' && row.stage !== filters.stage) return false
    if (filters.sharding === 'sharded' && !row.sharded) return false
    if (filters.sharding === 'replicated' && row.sharded) return false
    if (filters.kind === 'weights' && row.optimizerState) return false
    if (filters.kind === 'optimizer' && !row.optimizerState) return false
    return true
  })
}

const elements = (shape: readonly number[] | undefined) => shape && elementCount(shape)

function compareNumbers(a: number | undefined, b: number | undefined): number {
  return (a ?? 0) - (b ?? 0)
}

function compareLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

const COMPARE: Record<SortKey, (a: ParamRow, b: ParamRow) => number> = {
  stage: (a, b) => a.stage - b.stage,
  name: (a, b) => collator.compare(a.name, b.name),
  shape: (a, b) =>
    compareNumbers(elements(a.shape), elements(b.shape)) || compareLists(a.shape ?? [], b.shape ?? []),
  dtype: (a, b) => collator.compare(a.dtype ?? '', b.dtype ?? ''),
  devMatrix: (a, b) => compareLists(a.devMatrix, b.devMatrix),
  tensorMap: (a, b) => collator.compare(formatMap(a.tensorMap), formatMap(b.tensorMap)),
  sliceShape: (a, b) =>
    compareNumbers(elements(a.sliceShape), elements(b.sliceShape)) ||
    compareLists(a.sliceShape ?? [], b.sliceShape ?? []),
  optShard: (a, b) => a.optShardSize - b.optShardSize || a.optShardStep - b.optShardStep,
  bytesPerRank: (a, b) => compareNumbers(a.bytesPerRank, b.bytesPerRank)
}

/** What a sort key cannot order (unknown shape, dtype or size) stays at the end in both directions. */
const UNKNOWN: Partial<Record<SortKey, (row: ParamRow) => boolean>> = {
  shape: (row) => !row.shape,
  dtype: (row) => !row.dtype,
  sliceShape: (row) => !row.sliceShape,
  bytesPerRank: (row) => row.bytesPerRank === undefined
}

export function sortRows(rows: IndexedRow[], key: SortKey, direction: 'asc' | 'desc'): IndexedRow[] {
  const compare = COMPARE[key]
  const unknown = UNKNOWN[key]
  const sign = direction === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    if (unknown) {
      const ua = unknown(a.row)
      const ub = unknown(b.row)
      if (ua !== ub) return ua ? 1 : -1
    }
    return sign * compare(a.row, b.row) || a.row.stage - b.row.stage || a.order - b.order
  })
}
