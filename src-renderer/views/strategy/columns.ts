import type { SortKey } from '../../store/selection-slice'

export interface Column {
  key: SortKey
  label: string
  numeric?: boolean
  title?: string
}

/** In display order; widths live in strategy.css (.param-cols). */
export const COLUMNS: Column[] = [
  { key: 'stage', label: 'Stage', numeric: true, title: 'Pipeline stage' },
  { key: 'name', label: 'Name' },
  { key: 'shape', label: 'Shape', title: 'Full shape' },
  { key: 'dtype', label: 'Dtype' },
  { key: 'devMatrix', label: 'Device matrix' },
  {
    key: 'tensorMap',
    label: 'Tensor map',
    title: 'Device axis per dimension, counted from the right; -1: not split'
  },
  { key: 'sliceShape', label: 'Slice shape', title: 'Shape each rank stores' },
  { key: 'optShard', label: 'Opt shard', title: 'Optimizer shard size / step' },
  { key: 'bytesPerRank', label: 'Bytes/rank', numeric: true, title: 'Bytes each rank stores' }
]
