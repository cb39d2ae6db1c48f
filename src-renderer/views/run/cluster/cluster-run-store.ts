import { create } from 'zustand'
import type {
  ClusterRunLaunched,
  ClusterRunProgress,
  ClusterRunRequest
} from '../../../../src-main/api/contract'
import { client } from '../../../api/client'

const POLL_MS = 1000

export interface ClusterRunDraft {
  launcher: ClusterRunRequest['launcher']
  workers: string
  layout: string
  profile: string
  hosts: string
  partition: string
  time: string
  image: string
  claim: string
  hostPath: string
  mountPath: string
  /** The folder typed for one destination; for any other (a new plan), the default beside it. */
  outDir?: { destination: string; path: string }
}

interface ClusterRunStore {
  draft: ClusterRunDraft
  launched?: ClusterRunLaunched
  /**
   * The destination folder as the launched plan's request spelled it: main answers with the resolved path, and
   * the Run view compares with the plan's own spelling (a trailing slash would otherwise tell them apart).
   */
  launchedFor?: string
  progress?: ClusterRunProgress
  error?: string
  busy: boolean
  setDraft(patch: Partial<ClusterRunDraft>): void
  launch(request: ClusterRunRequest): Promise<void>
  cancel(): Promise<void>
}

let timer: ReturnType<typeof setInterval> | undefined

/**
 * The cluster run of this window, kept outside the view so that leaving the Run view (or the theme changing)
 * does not lose a run that is going on: the workers' progress is polled about once a second while the launcher
 * runs, and once more after it ended.
 */
export const useClusterRun = create<ClusterRunStore>()((set, get) => {
  const poll = async (runId: string) => {
    try {
      const progress = await client.request('clusterRun.progress', { runId })
      if (get().launched?.runId !== runId) return
      set({ progress })
      if (progress.launcher?.state !== 'running') stopPolling()
    } catch (err) {
      set({ error: (err as Error).message })
      stopPolling()
    }
  }
  const stopPolling = () => {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
  }
  return {
    draft: {
      launcher: 'mpirun',
      workers: '2',
      layout: '',
      profile: '',
      hosts: '',
      partition: '',
      time: '',
      image: '',
      claim: '',
      hostPath: '',
      mountPath: ''
    },
    busy: false,
    setDraft: (patch) => set((s) => ({ draft: { ...s.draft, ...patch } })),
    async launch(request) {
      set({ busy: true, error: undefined })
      try {
        const launched = await client.request('clusterRun.launch', request)
        stopPolling()
        set({ launched, launchedFor: request.request.destination.folder, progress: undefined })
        if (launched.started) {
          void poll(launched.runId)
          timer = setInterval(() => void poll(launched.runId), POLL_MS)
        }
      } catch (err) {
        set({ error: (err as Error).message })
      } finally {
        set({ busy: false })
      }
    },
    async cancel() {
      const runId = get().launched?.runId
      if (!runId) return
      try {
        const { cancelled } = await client.request('clusterRun.cancel', { runId })
        if (!cancelled)
          set({ error: 'Nothing Shardscope started is running for this launch: stop it where it runs.' })
      } catch (err) {
        set({ error: (err as Error).message })
      }
    }
  }
})
