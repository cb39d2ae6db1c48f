import type { StateCreator } from 'zustand'
import type { PlanParamDetail, PlanRequest, PlanSummary } from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'
import {
  checkDraft,
  EMPTY_DRAFT,
  planRequestOf,
  RUN_FIELDS,
  type DraftField,
  type PlanRequestDraft
} from './plan-request'

export { defaultDestination, type PlanRequestDraft } from './plan-request'

export interface PlanSlice {
  planRequest: PlanRequestDraft
  /** Fields the user has typed or chosen: nothing the app fills in by itself may overwrite them. */
  touched: Partial<Record<DraftField, true>>
  plan?: PlanSummary
  /** The request the current plan was made from (the Run view and "Open result" use it). */
  plannedRequest?: PlanRequest
  planning: boolean
  planError?: string
  planRank: number
  planParam?: string
  paramDetail?: PlanParamDetail
  /** Why the chosen parameter cannot be shown for the chosen rank (e.g. it lives in another pipeline stage). */
  paramError?: string
  /** The destination holds another conversion: what replacing it would delete, for the user to confirm. */
  overwriteAsk?: { folder: string; message: string; paths: string[] }
  /** The user confirmed: plan again, replacing the previous conversion. */
  confirmOverwrite(): Promise<void>
  dismissOverwrite(): void
  /** The user's own edit of the form. */
  setPlanRequest(draft: Partial<PlanRequestDraft>): void
  /** The app's suggestion (the sample, "Plan from this"): fills only fields the user has not touched. */
  suggestPlanRequest(draft: Partial<PlanRequestDraft>): void
  /** Empties untouched fields that name a path that was closed. */
  forgetPlanPath(path: string): void
  createPlan(): Promise<void>
  setPlanRank(rank: number): void
  selectPlanParam(name: string | undefined): Promise<void>
}

const keepsPlan = (draft: Partial<PlanRequestDraft>) =>
  Object.keys(draft).every((k) => RUN_FIELDS.includes(k as DraftField))

export const createPlanSlice: StateCreator<AppState, [], [], PlanSlice> = (set, get) => ({
  planRequest: EMPTY_DRAFT,
  touched: {},
  planning: false,
  planRank: 0,
  setPlanRequest: (draft) =>
    set((s) => ({
      // A confirmed overwrite holds for what was confirmed: any other change asks again.
      planRequest: {
        ...s.planRequest,
        ...draft,
        overwrite: draft.overwrite ?? (keepsPlan(draft) ? s.planRequest.overwrite : false)
      },
      touched: { ...s.touched, ...Object.fromEntries(Object.keys(draft).map((k) => [k, true])) },
      ...(keepsPlan(draft) ? {} : { plan: undefined, paramDetail: undefined, planError: undefined })
    })),
  suggestPlanRequest: (draft) =>
    set((s) => {
      const untouched = Object.entries(draft).filter(([k]) => !s.touched[k as DraftField])
      if (untouched.length === 0) return {}
      return {
        planRequest: { ...s.planRequest, ...Object.fromEntries(untouched) },
        plan: undefined,
        paramDetail: undefined
      }
    }),
  forgetPlanPath: (path) =>
    set((s) => {
      const fields = (['sourceFolder', 'sourceStrategy', 'destinationStrategy'] as const).filter(
        (f) => s.planRequest[f] === path && !s.touched[f]
      )
      if (fields.length === 0) return {}
      return {
        planRequest: { ...s.planRequest, ...Object.fromEntries(fields.map((f) => [f, undefined])) },
        plan: undefined,
        paramDetail: undefined
      }
    }),
  async createPlan() {
    const draft = get().planRequest
    const problems = Object.values(checkDraft(draft))
    if (problems.length > 0) {
      set({ planError: problems.join(' ') })
      return
    }
    const request = planRequestOf(draft)
    set({ planning: true, planError: undefined, plan: undefined, paramDetail: undefined })
    try {
      const plan = await client.request('plan.create', request)
      set({ plan, plannedRequest: request, planRank: plan.ranks[0]?.rank ?? 0 })
      const other = plan.problems.find((p) => p.code === 'destination-other-conversion')
      if (other)
        set({
          overwriteAsk: {
            folder: request.destination.folder,
            message: other.message,
            paths: other.paths ?? []
          }
        })
      const first = plan.params.find((p) => !p.startsWith('adam_')) ?? plan.params[0]
      if (first && plan.ranks.length > 0) await get().selectPlanParam(first)
    } catch (err) {
      set({ planError: (err as Error).message })
    } finally {
      set({ planning: false })
    }
  },
  async confirmOverwrite() {
    set({ overwriteAsk: undefined })
    get().setPlanRequest({ overwrite: true })
    await get().createPlan()
  },
  dismissOverwrite: () => set({ overwriteAsk: undefined }),
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
