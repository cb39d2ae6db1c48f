import type { StateCreator } from 'zustand'
import type {
  AppInfo,
  FolderDescription,
  OpenedItem,
  RankTableDescription,
  RecentItem,
  SampleWorkspace,
  StrategyDescription,
  UploadFile
} from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'

export interface WorkspaceSlice {
  info?: AppInfo
  recent: RecentItem[]
  sample?: SampleWorkspace
  /** Everything dropped or opened this session, with what it was recognised as (or why not). */
  items: OpenedItem[]
  strategyPath?: string
  folderPath?: string
  strategy?: StrategyDescription
  folder?: FolderDescription
  rankTable?: RankTableDescription
  busy: string | undefined
  error?: string
  init(): Promise<void>
  openSample(): Promise<void>
  openPaths(paths: string[]): Promise<void>
  openUpload(name: string, files: UploadFile[]): Promise<void>
  /** Makes an opened item the active strategy, folder or rank table and describes it. */
  activate(item: OpenedItem): Promise<void>
  clearError(): void
}

export const createWorkspaceSlice: StateCreator<AppState, [], [], WorkspaceSlice> = (set, get) => {
  const guarded = async (label: string, work: () => Promise<void>) => {
    set({ busy: label, error: undefined })
    try {
      await work()
    } catch (err) {
      set({ error: (err as Error).message })
    } finally {
      set({ busy: undefined })
    }
  }

  const describe = async () => {
    const { strategyPath, folderPath } = get()
    const [strategy, folder] = await Promise.all([
      strategyPath
        ? client.request('strategy.describe', {
            path: strategyPath,
            ...(folderPath ? { folder: folderPath } : {})
          })
        : undefined,
      folderPath
        ? client.request('folder.describe', {
            path: folderPath,
            ...(strategyPath ? { strategy: strategyPath } : {})
          })
        : undefined
    ])
    set({ strategy, folder })
  }

  const remember = (item: OpenedItem) =>
    set((s) => ({ items: [item, ...s.items.filter((i) => i.path !== item.path)] }))

  return {
    recent: [],
    items: [],
    busy: undefined,
    async init() {
      // Guarded: a page opened without its session token says so instead of staying blank.
      await guarded('Connecting…', async () => {
        const [info, recent] = await Promise.all([
          client.request('app.info', {}),
          client.request('recent.list', {})
        ])
        set({ info, recent })
      })
    },
    async openSample() {
      await guarded('Preparing the sample workspace…', async () => {
        const sample = await client.request('sample.open', {})
        set({ sample, strategyPath: sample.sourceStrategy, folderPath: sample.folder, rankTable: undefined })
        get().setPlanRequest({
          sourceFolder: sample.folder,
          sourceStrategy: sample.sourceStrategy,
          destinationStrategy: sample.destinationStrategy,
          merge: false
        })
        const opened = await Promise.all(
          [sample.folder, sample.sourceStrategy, sample.destinationStrategy].map((path) =>
            client.request('path.open', { path })
          )
        )
        opened.reverse().forEach(remember)
        await describe()
        get().selectFirstParam()
      })
    },
    async openPaths(paths) {
      await guarded('Reading…', async () => {
        for (const path of paths) {
          const item = await client.request('path.open', { path })
          remember(item)
          if (item.ok) await get().activate(item)
        }
        set({ recent: await client.request('recent.list', {}) })
      })
    },
    async openUpload(name, files) {
      await guarded(`Reading ${name}…`, async () => {
        const item = await client.request('upload.files', { name, files })
        remember(item)
        if (item.ok) await get().activate(item)
      })
    },
    async activate(item) {
      if (!item.ok) return
      if (item.kind === 'strategy') {
        set({ strategyPath: item.path })
        get().setPlanRequest({ sourceStrategy: item.path })
      } else if (item.kind === 'checkpoint-folder') {
        set({ folderPath: item.path })
        get().setPlanRequest({ sourceFolder: item.path })
      } else if (item.kind === 'rank-table') {
        set({ rankTable: await client.request('rankTable.describe', { path: item.path }) })
        await get().openCluster(item.path)
        return
      } else return
      await describe()
      if (!get().selectedParam) get().selectFirstParam()
    },
    clearError() {
      set({ error: undefined })
    }
  }
}
