import { create } from 'zustand'
import { createClusterSlice, type ClusterSlice } from './cluster-slice'
import { createJobsSlice, type JobsSlice } from './jobs-slice'
import { createPlanSlice, type PlanSlice } from './plan-slice'
import { createSelectionSlice, type SelectionSlice } from './selection-slice'
import { createUiSlice, type UiSlice } from './ui-slice'
import { createVerifySlice, type VerifySlice } from './verify-slice'
import { createWorkspaceSlice, type WorkspaceSlice } from './workspace-slice'

export type AppState = WorkspaceSlice &
  SelectionSlice &
  PlanSlice &
  JobsSlice &
  VerifySlice &
  UiSlice &
  ClusterSlice

export const useAppStore = create<AppState>()((...args) => ({
  ...createWorkspaceSlice(...args),
  ...createSelectionSlice(...args),
  ...createPlanSlice(...args),
  ...createJobsSlice(...args),
  ...createVerifySlice(...args),
  ...createUiSlice(...args),
  ...createClusterSlice(...args)
}))
