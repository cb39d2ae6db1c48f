import type { StateCreator } from 'zustand'
import type { AppState } from './app-store'

/** A view's id, as listed once in app/views.tsx (a new view is one entry there). */
export type ViewId = string

export type SortKey =
  | 'stage'
  | 'name'
  | 'shape'
  | 'dtype'
  | 'devMatrix'
  | 'tensorMap'
  | 'sliceShape'
  | 'optShard'
  | 'bytesPerRank'

export interface ParamFilters {
  stage: number | 'all'
  sharding: 'all' | 'sharded' | 'replicated'
  kind: 'all' | 'weights' | 'optimizer'
}

export interface SelectionSlice {
  view: ViewId
  /** A parameter is one layout row: name and pipeline stage (a tied parameter has one row per stage). */
  selectedParam?: { name: string; stage: number }
  /** A rank highlighted across views (device matrix, tensor layout, pipeline). */
  selectedRank?: number
  search: string
  filters: ParamFilters
  sort: { key: SortKey; direction: 'asc' | 'desc' }
  setView(view: ViewId): void
  selectParam(param: { name: string; stage: number } | undefined): void
  selectFirstParam(): void
  /** After the strategy changed: keeps the selected parameter if the new strategy has it, else picks one. */
  keepSelection(): void
  selectRank(rank: number | undefined): void
  setSearch(search: string): void
  setFilters(filters: Partial<ParamFilters>): void
  setSort(key: SortKey): void
}

export const createSelectionSlice: StateCreator<AppState, [], [], SelectionSlice> = (set, get) => ({
  view: 'open',
  search: '',
  filters: { stage: 'all', sharding: 'all', kind: 'all' },
  sort: { key: 'stage', direction: 'asc' },
  setView: (view) => set({ view }),
  selectParam: (selectedParam) => set({ selectedParam, selectedRank: undefined }),
  selectFirstParam() {
    const rows = get().strategy?.params ?? []
    // Prefer a sharded weight: it shows the most in every view.
    const first =
      rows.find((r) => r.sharded && !r.optimizerState && r.shape && r.shape.length === 2) ?? rows[0]
    set({
      selectedParam: first ? { name: first.name, stage: first.stage } : undefined,
      selectedRank: undefined
    })
  },
  keepSelection() {
    const { strategy, selectedParam } = get()
    const rows = strategy?.params ?? []
    if (!rows.some((r) => r.name === selectedParam?.name && r.stage === selectedParam?.stage))
      get().selectFirstParam()
  },
  selectRank: (selectedRank) => set({ selectedRank }),
  setSearch: (search) => set({ search }),
  setFilters: (filters) => set((s) => ({ filters: { ...s.filters, ...filters } })),
  setSort: (key) =>
    set((s) => ({
      sort: { key, direction: s.sort.key === key && s.sort.direction === 'asc' ? 'desc' : 'asc' }
    }))
})
