import type { StateCreator } from 'zustand'
import type {
  AppEvent,
  ClusterDescription,
  ClusterProbe,
  ClusterPushEvent,
  ClusterPushResult
} from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'

export interface ClusterDraft {
  layout?: string
  profile?: string
  output?: string
  remoteRoot?: string
  name?: string
}

export interface ClusterPush {
  pushId: string
  /** Latest event per server, and per file. */
  servers: Record<string, ClusterPushEvent>
  files: Record<string, ClusterPushEvent['file']>
  result?: ClusterPushResult
  failure?: { state: 'failed' | 'cancelled'; message: string }
}

export interface ClusterSlice {
  clusterDraft: ClusterDraft
  cluster?: ClusterDescription
  clusterError?: string
  clusterProbe?: ClusterProbe
  probing: boolean
  clusterPush?: ClusterPush
  setClusterDraft(draft: Partial<ClusterDraft>): void
  /** Opening a rank table lands here. */
  openCluster(layout: string): Promise<void>
  describeCluster(): Promise<void>
  probeCluster(): Promise<void>
  startPush(): Promise<void>
  cancelPush(): Promise<void>
  /**
   * Host keys the user already answered (`<server>:<fingerprint>`), trusted or not: their dialog is not shown
   * again while the results that asked stay on screen, also after the view is left and opened again.
   */
  answeredHostKeys: string[]
  /** The inputs (layout, profile, output, name) the description, probe and push on screen belong to. */
  clusterShownFor?: string
  answerHostKey(server: string, fingerprint: string): void
  /** Pins a key the user trusted; `jump`: the key is the server's jump host's. */
  trustHost(server: string, fingerprint: string, jump?: boolean): Promise<void>
  handleClusterEvent(event: AppEvent): void
}

export const createClusterSlice: StateCreator<AppState, [], [], ClusterSlice> = (set, get) => {
  const request = () => {
    const d = get().clusterDraft
    return {
      layout: d.layout!,
      ...(d.profile ? { profile: d.profile } : {}),
      ...(d.output ? { output: d.output } : {}),
      ...(d.remoteRoot ? { remoteRoot: d.remoteRoot } : {}),
      ...(d.name ? { name: d.name } : {})
    }
  }
  return {
    clusterDraft: {},
    probing: false,
    answeredHostKeys: [],
    answerHostKey: (server, fingerprint) =>
      set((s) => ({ answeredHostKeys: [...s.answeredHostKeys, `${server}:${fingerprint}`] })),
    setClusterDraft: (draft) => set((s) => ({ clusterDraft: { ...s.clusterDraft, ...draft } })),
    async openCluster(layout) {
      const output = get().job?.result?.destination
      set((s) => ({
        clusterDraft: { ...s.clusterDraft, layout, ...(output && !s.clusterDraft.output ? { output } : {}) }
      }))
      get().setView('cluster')
      await get().describeCluster()
    },
    async describeCluster() {
      if (!get().clusterDraft.layout) return
      set({ clusterError: undefined })
      const r = request()
      const inputs = JSON.stringify(r)
      if (inputs !== get().clusterShownFor) {
        // Another layout or folder: the last probe and push were of something else. A running push stays.
        const push = get().clusterPush
        const running = push !== undefined && !push.result && !push.failure
        set({
          clusterShownFor: inputs,
          clusterProbe: undefined,
          ...(running ? {} : { clusterPush: undefined })
        })
      }
      try {
        set({ cluster: await client.request('cluster.describe', r) })
      } catch (err) {
        set({ clusterError: (err as Error).message, cluster: undefined })
      }
    },
    async probeCluster() {
      const r = request()
      if (!r.profile)
        return set({ clusterError: 'Choose the cluster profile first: it says how to reach each server.' })
      set({ probing: true, clusterError: undefined })
      try {
        set({ clusterProbe: await client.request('cluster.probe', { ...r, profile: r.profile }) })
      } catch (err) {
        set({ clusterError: (err as Error).message })
      } finally {
        set({ probing: false })
      }
    },
    async startPush() {
      const r = request()
      if (!r.profile || !r.output)
        return set({ clusterError: 'A push needs the cluster profile and the converted output folder.' })
      set({ clusterError: undefined })
      try {
        const { pushId } = await client.request('cluster.push', {
          ...r,
          profile: r.profile,
          output: r.output
        })
        set({ clusterPush: { pushId, servers: {}, files: {} } })
      } catch (err) {
        set({ clusterError: (err as Error).message })
      }
    },
    async cancelPush() {
      const push = get().clusterPush
      if (push) await client.request('cluster.cancel', { pushId: push.pushId })
    },
    async trustHost(server, fingerprint, jump = false) {
      const profile = get().clusterDraft.profile
      if (!profile) return
      get().answerHostKey(server, fingerprint)
      try {
        await client.request('cluster.trustHost', { profile, server, fingerprint, ...(jump ? { jump } : {}) })
        await get().describeCluster()
      } catch (err) {
        set({ clusterError: (err as Error).message })
      }
    },
    handleClusterEvent(event) {
      const push = get().clusterPush
      if (event.type === 'cluster.progress' && push?.pushId === event.pushId) {
        const files = event.event.file
          ? { ...push.files, [`${event.event.server}:${event.event.file.relativePath}`]: event.event.file }
          : push.files
        set({
          clusterPush: { ...push, servers: { ...push.servers, [event.event.server]: event.event }, files }
        })
      } else if (event.type === 'cluster.finished' && push?.pushId === event.result.pushId) {
        set({ clusterPush: { ...push, result: event.result } })
      } else if (event.type === 'cluster.failed' && push?.pushId === event.pushId) {
        set({ clusterPush: { ...push, failure: { state: event.state, message: event.message } } })
      }
    }
  }
}
