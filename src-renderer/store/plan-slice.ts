import type { StateCreator } from 'zustand'
import type { PlanParamDetail, PlanSummary } from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'

export interface PlanRequestDraft {
  sourceFolder?: string
  sourceStrategy?: string
  destinationStrategy?: string
  /** Merge into one full checkpoint instead of a destination strategy. */
  merge: boolean
  destinationFolder?: string
  format: 'ckpt' | 'safetensors'
  dtype?: string
  exclude?: string
}

export interface PlanSlice {
  planRequest: PlanRequestDraft
  plan?: PlanSummary
  planning: boolean
  planError?: string
  planRank: number
  planParam?: string
  paramDetail?: PlanParamDetail
  /** Why the chosen parameter cannot be shown for the chosen rank (e.g. it lives in another pipeline stage). */
  paramError?: string
  setPlanRequest(draft: Partial<PlanRequestDraft>): void
  createPlan(): Promise<void>
  setPlanRank(rank: number): void
  selectPlanParam(name: string | undefined): Promise<void>
}

/** `<source>-converted` next to the source folder unless the user picks another. */
export function defaultDestination(sourceFolder: string): string {
  return `${sourceFolder.replace(/[\\/]+$/, '')}-converted`
}

export const createPlanSlice: StateCreator<AppState, [], [], PlanSlice> = (set, get) => ({
  planRequest: { merge: false, format: 'ckpt' },
  planning: false,
  planRank: 0,
  setPlanRequest: (draft) =>
    set((s) => ({ planRequest: { ...s.planRequest, ...draft }, plan: undefined, paramDetail: undefined })),
  async createPlan() {
    const draft = get().planRequest
    if (!draft.sourceFolder) {
      set({ planError: 'Choose the source checkpoint folder first.' })
      return
    }
    set({ planning: true, planError: undefined, plan: undefined, paramDetail: undefined })
    try {
      const plan = await client.request('plan.create', {
        source: {
          folder: draft.sourceFolder,
          ...(draft.sourceStrategy ? { strategy: draft.sourceStrategy } : {})
        },
        destination: {
          folder: draft.destinationFolder || defaultDestination(draft.sourceFolder),
          ...(!draft.merge && draft.destinationStrategy ? { strategy: draft.destinationStrategy } : {})
        },
        options: {
          format: draft.format,
          ...(draft.dtype ? { dtype: draft.dtype } : {}),
          ...(draft.exclude ? { exclude: draft.exclude } : {})
        }
      })
      set({ plan, planRank: plan.ranks[0]?.rank ?? 0 })
      const first = plan.params.find((p) => !p.startsWith('adam_')) ?? plan.params[0]
      if (first && plan.ranks.length > 0) await get().selectPlanParam(first)
    } catch (err) {
      set({ planError: (err as Error).message })
    } finally {
      set({ planning: false })
    }
  },
  setPlanRank(rank) {
    set({ planRank: rank })
    const param = get().planParam
    if (param) void get().selectPlanParam(param)
  },
  async selectPlanParam(name) {
    const plan = get().plan
    set({ planParam: name, paramDetail: undefined, paramError: undefined })
    if (!plan || !name) return
    const rank = get().planRank
    // A slower answer for an earlier choice must not replace the current one.
    const current = () => get().planParam === name && get().planRank === rank && get().plan === plan
    try {
      const detail = await client.request('plan.param', { planId: plan.planId, rank, param: name })
      if (current()) set({ paramDetail: detail })
    } catch (err) {
      if (current()) set({ paramError: (err as Error).message })
    }
  }
})
